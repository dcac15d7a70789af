package io.github.litestream;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;

/**
 * The engine replicating a {@link TableWorkload} to one replica, one commit at a time, and the
 * oracle of what it shipped: every commit's contents, with the generation and WAL index it
 * landed in and when it was on the replica. Checkpoints every 8 pages give a few commits per
 * index.
 */
public final class ReplicatedHistory implements AutoCloseable {

	private final Path dbPath;

	private final ReplicaClient client;

	private final TableWorkload app;

	private final List<Commit> commits = new ArrayList<>();

	private final MutableClock clock = new MutableClock();

	private ReplicatedDatabase database;

	private Replica replica;

	public ReplicatedHistory(Path dbPath, ReplicaClient client) throws Exception {
		this.dbPath = dbPath;
		this.client = client;
		this.app = new TableWorkload(dbPath);
		open();
	}

	private void open() throws Exception {
		this.database = new ReplicatedDatabase(
				DatabaseOptions.defaults(this.dbPath).withCheckpoints(Duration.ofMinutes(1), 8, 10000), this.clock);
		this.database.open();
		this.replica = new Replica(this.database, this.client, ReplicaOptions.defaults("replica"), this.clock);
	}

	/**
	 * Commits, copies and ships transactions one at a time, recording each state.
	 * @param count the number of transactions
	 * @throws Exception if one fails
	 */
	public void commit(int count) throws Exception {
		for (int i = 0; i < count; i++) {
			TableContents contents = this.app.commit(1 + i % 4);
			this.database.sync();
			this.replica.sync();
			// A checkpoint leaves the WAL's restart to the next write: the commit's index is current.
			Pos pos = this.database.position().orElseThrow();
			this.commits.add(new Commit(pos.generation(), pos.index(), Instant.now(), contents));
			// Object times tell commits apart for a point-in-time restore: let the clock move on.
			Thread.sleep(25);
		}
	}

	/**
	 * Uploads a snapshot at the current index.
	 * @throws Exception if it fails
	 */
	public void snapshot() throws Exception {
		this.replica.snapshot();
	}

	/**
	 * Lets the checkpoint interval pass and syncs: a PASSIVE checkpoint moves the pages into the
	 * database file and the WAL index goes on (nothing restarts it).
	 * @return the modes of the checkpoints the sync ran
	 * @throws Exception if the sync fails
	 */
	public List<CheckpointMode> checkpointByTime() throws Exception {
		List<CheckpointMode> modes = new CopyOnWriteArrayList<>();
		this.database.addListener(new DatabaseListener() {
			@Override
			public void onCheckpoint(CheckpointMode mode, Duration duration) {
				modes.add(mode);
			}
		});
		this.clock.advance(Duration.ofMinutes(2));
		this.database.sync();
		this.replica.sync();
		return List.copyOf(modes);
	}

	/**
	 * Stops the engine, commits changes it does not see, and starts it again: it begins a new
	 * generation, whose first snapshot holds those changes.
	 * @throws Exception if a step fails
	 */
	public void restartAfterUnseenChanges() throws Exception {
		this.database.close();
		this.app.commit(3);
		this.app.commit(3);
		this.app.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		open();
	}

	/**
	 * Every commit shipped, in order.
	 * @return the commits
	 */
	public List<Commit> commits() {
		return this.commits;
	}

	/**
	 * The generation of the last commit.
	 * @return its name
	 */
	public String generation() {
		return this.commits.get(this.commits.size() - 1).generation();
	}

	/**
	 * The state at the end of each index of a generation: its last commit's.
	 * @param generation the generation
	 * @return the contents by index
	 */
	public TreeMap<Long, TableContents> atEndOfIndex(String generation) {
		TreeMap<Long, TableContents> states = new TreeMap<>();
		for (Commit commit : this.commits) {
			if (commit.generation().equals(generation)) {
				states.put(commit.index(), commit.contents());
			}
		}
		return states;
	}

	/**
	 * What the application's table holds now.
	 * @return the contents
	 * @throws Exception if it cannot be read
	 */
	public TableContents contents() throws Exception {
		return this.app.contents();
	}

	@Override
	public void close() throws Exception {
		this.app.close();
		this.database.close();
	}

	/**
	 * One shipped commit.
	 * @param generation the generation it landed in
	 * @param index the WAL index it landed in
	 * @param shippedAt a time after its objects were written and before the next commit's
	 * @param contents the table once it committed
	 */
	public record Commit(String generation, long index, Instant shippedAt, TableContents contents) {
	}

}
