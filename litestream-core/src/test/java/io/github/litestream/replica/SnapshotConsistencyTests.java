package io.github.litestream.replica;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

import io.github.litestream.ConsistencyOracle;
import io.github.litestream.MutableClock;
import io.github.litestream.PageWriter;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreException;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A snapshot reads the database file, into which a time-based checkpoint may already have
 * moved pages of frames the replica has not received. These tests force that interleaving
 * (commits after a sync, a time-based checkpoint, then the snapshot) and restore the points a
 * crash or a point in time can leave: each must be one committed state.
 */
class SnapshotConsistencyTests {

	private static final int ROWS = 16;

	@TempDir
	Path dir;

	private final MutableClock clock = new MutableClock();

	private final ConsistencyOracle oracle = new ConsistencyOracle(ROWS);

	private Connection app;

	private PageWriter writer;

	private ReplicatedDatabase database;

	private RecordingReplicaClient client;

	private Pos positionAtOpen;

	private Replica replica;

	@BeforeEach
	void setUp() throws Exception {
		Path db = this.dir.resolve("app.db");
		this.app = DriverManager.getConnection("jdbc:sqlite:" + db);
		PageWriter.createTable(this.app, ROWS);
		try (Statement s = this.app.createStatement()) {
			// State 0 lives in the database file only: no WAL frame of it is replayed on restore.
			s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		}
		this.writer = new PageWriter(this.app, ROWS, 7);
		this.database = new ReplicatedDatabase(
				DatabaseOptions.defaults(db).withCheckpoints(Duration.ofSeconds(1), 1000, 10000), this.clock);
		this.database.open();
		this.positionAtOpen = this.database.position().orElseThrow();
		this.client = new RecordingReplicaClient(new FileReplicaClient(this.dir.resolve("replica")));
		this.replica = new Replica(this.database, this.client, ReplicaOptions.defaults("file"), this.clock);
		this.replica.sync();
	}

	@AfterEach
	void tearDown() throws Exception {
		this.writer.close();
		this.app.close();
		this.database.close();
	}

	@Test
	void crashRightAfterASnapshotOfBackfilledPagesRestoresOneCommittedState() throws Exception {
		Pos synced = commitShipThenCommitAndBackfill();
		this.replica.snapshot();
		// The process dies here: nothing is shipped after the snapshot.

		ConsistencyOracle.Match restored = this.oracle.check(restore(RestoreOptions.latest(output("latest.db"))));
		assertThat(restored.state()).as("the snapshot's own changes are restored, not lost").isEqualTo(2);
		assertThat(this.replica.position().orElseThrow()).isGreaterThan(synced);
	}

	@Test
	void pointInTimeRightAfterASnapshotOfBackfilledPagesRestoresOneCommittedState() throws Exception {
		commitShipThenCommitAndBackfill();
		SnapshotInfo snapshot = this.replica.snapshot();
		// Later objects get later modification times.
		await().until(() -> Instant.now().isAfter(snapshot.createdAt().plusMillis(50)));
		commit(3, 4);
		this.database.sync();
		this.replica.sync();

		Path atSnapshot = restore(RestoreOptions.latest(output("at-snapshot.db")).withTimestamp(snapshot.createdAt()));
		assertThat(this.oracle.check(atSnapshot).state()).isEqualTo(2);
		assertThat(this.oracle.check(restore(RestoreOptions.latest(output("latest.db")))).state()).isEqualTo(3);
	}

	@Test
	void aPointInTimeWhoseWalStopsShortOfTheSnapshotIsNotRestoredFromIt() throws Exception {
		Pos synced = commitShipThenCommitAndBackfill();
		SnapshotInfo snapshot = this.replica.snapshot();
		this.replica.sync();
		// A store whose object times disagree with the order of writes: the index's first
		// segment looks newer than the snapshot, so a restore to the snapshot's time would stop
		// before the segments the snapshot was stored after.
		Path first = this.dir.resolve("replica").resolve(ReplicaLayout.walSegmentKey(new Pos(synced.generation(), synced.index(), 0)));
		Files.setLastModifiedTime(first, FileTime.from(snapshot.createdAt().plusSeconds(1)));

		Path output = output("at-snapshot.db");
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> restore(RestoreOptions.latest(output).withTimestamp(snapshot.createdAt())))
			.withMessageContaining("choose a timestamp at or after");
		assertThat(output).doesNotExist();
		Path later = restore(RestoreOptions.latest(output("later.db")).withTimestamp(snapshot.createdAt().plusSeconds(1)));
		assertThat(this.oracle.check(later).state()).isEqualTo(2);
	}

	@Test
	void theFirstSnapshotOfAGenerationIsStoredAfterTheWalItWasTakenAt() {
		// setUp's first sync started the generation: its WAL goes first, from offset 0.
		Pos start = new Pos(this.positionAtOpen.generation(), this.positionAtOpen.index(), 0);
		assertThat(this.client.writes()).containsExactly(ReplicaLayout.walSegmentKey(start),
				ReplicaLayout.snapshotKey(start.generation(), start.index()));
		assertThat(this.replica.position().orElseThrow()).isGreaterThanOrEqualTo(this.positionAtOpen);
	}

	@Test
	void aSnapshotIsStoredAfterTheWalUpToItsPosition() throws Exception {
		Pos synced = commitShipThenCommitAndBackfill();
		int before = this.client.writes().size();
		this.replica.snapshot();
		assertThat(this.client.writes().subList(before, this.client.writes().size())).containsExactly(
				ReplicaLayout.walSegmentKey(synced), ReplicaLayout.snapshotKey(synced.generation(), synced.index()));
	}

	@Test
	void aSnapshotAfterAFailureContinuesAfterTheWalTheReplicaHolds() throws Exception {
		commit(1, 1, 2);
		this.database.sync();
		this.replica.sync();
		Pos stored = this.replica.position().orElseThrow();
		commit(2, 1, 3);
		this.database.sync();
		this.client.failNextWrite();
		assertThatExceptionOfType(IOException.class).isThrownBy(this.replica::sync);
		assertThat(this.replica.position()).isEmpty();

		int before = this.client.writes().size();
		this.replica.snapshot();
		assertThat(this.client.writes().subList(before, this.client.writes().size())).containsExactly(
				ReplicaLayout.walSegmentKey(stored), ReplicaLayout.snapshotKey(stored.generation(), stored.index()));
		assertThat(this.oracle.check(restore(RestoreOptions.latest(output("latest.db")))).state()).isEqualTo(2);
	}

	@Test
	void aReplicaWhoseLocalWalIsGoneRestartsAtASnapshotOfANewIndexStoredBeforeItsWal() throws Exception {
		commit(1, 1, 2);
		this.database.sync();
		this.replica.sync();
		commit(2, 1, 3);
		this.database.checkpoint(CheckpointMode.RESTART);
		commit(3, 2, 4);
		this.database.checkpoint(CheckpointMode.RESTART);
		commit(4, 3, 5);
		this.database.sync();
		Pos current = this.database.position().orElseThrow();
		assertThat(current.index()).isEqualTo(2);
		this.database.removeShadowWalBefore(current.index());

		int before = this.client.writes().size();
		this.replica.sync();
		// Index 2's WAL is not shipped: the snapshot of index 3 holds its end, and goes first.
		Pos start = new Pos(current.generation(), 3, 0);
		assertThat(this.client.writes().subList(before, this.client.writes().size()))
			.containsExactly(ReplicaLayout.snapshotKey(start.generation(), 3), ReplicaLayout.walSegmentKey(start));
		assertThat(this.replica.position()).isEqualTo(this.database.position());
		assertThat(this.oracle.check(restore(RestoreOptions.latest(output("latest.db")))).state()).isEqualTo(4);
	}

	/**
	 * Transaction 1 changes rows 1 and 2 and reaches the replica; transaction 2 changes rows 1
	 * and 3 and only reaches the shadow WAL; then a time-based checkpoint moves both into the
	 * database file, in the same WAL index. A snapshot now holds row 3 at version 2, whose
	 * frame the replica does not have, while replaying the replica's WAL sets row 1 back to
	 * version 1: without the WAL up to the snapshot's position, a restore mixes the two.
	 * @return the replica's position before the snapshot
	 */
	private Pos commitShipThenCommitAndBackfill() throws Exception {
		commit(1, 1, 2);
		this.database.sync();
		this.replica.sync();
		Pos synced = this.replica.position().orElseThrow();
		commit(2, 1, 3);
		this.database.sync();
		this.clock.advance(Duration.ofSeconds(2));
		Instant checkpointedBefore = this.database.lastCheckpointAt();
		this.database.sync();
		assertThat(this.database.lastCheckpointAt()).as("a time-based checkpoint ran").isAfter(checkpointedBefore);
		Pos now = this.database.position().orElseThrow();
		assertThat(now.index()).as("the checkpoint kept the WAL index").isEqualTo(synced.index());
		assertThat(now.offset()).isGreaterThan(synced.offset());
		return synced;
	}

	private void commit(int k, int... ids) throws Exception {
		long began = System.currentTimeMillis();
		this.writer.commit(k, ids);
		assertThat(this.oracle.committed(began, ids)).isEqualTo(k);
	}

	private Path restore(RestoreOptions options) throws Exception {
		new Restorer().restore(this.client, options);
		return options.outputPath();
	}

	private Path output(String name) {
		return this.dir.resolve("restored").resolve(name);
	}

}
