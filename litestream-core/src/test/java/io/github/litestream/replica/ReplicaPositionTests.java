package io.github.litestream.replica;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.AppDatabase;
import io.github.litestream.MutableClock;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What {@link Replica#position()} tells other threads (the endpoint, health, lag, a caller
 * waiting for the replica to catch up): how far a restore from the replica reaches. A
 * generation's first snapshot ships the WAL up to its own position before it is written; until
 * it is stored, that position has no backup behind it.
 */
class ReplicaPositionTests {

	@TempDir
	Path dir;

	private AppDatabase app;

	private ReplicatedDatabase database;

	@BeforeEach
	void open() throws Exception {
		Path db = this.dir.resolve("app.db");
		this.app = new AppDatabase(db);
		this.app.insert(5);
		this.database = new ReplicatedDatabase(DatabaseOptions.defaults(db));
		this.database.open();
	}

	@AfterEach
	void close() throws Exception {
		this.database.close();
		this.app.close();
	}

	@Test
	void theFirstSnapshotsPositionIsPublishedOnlyOnceTheSnapshotIsStored() throws Exception {
		List<String> calls = new CopyOnWriteArrayList<>();
		List<Optional<Pos>> seenWhileStoring = new CopyOnWriteArrayList<>();
		Replica[] replica = new Replica[1];
		ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(this.dir.resolve("replica"))) {
			@Override
			public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
				calls.add("wal");
				return super.writeWalSegment(pos, lz4);
			}

			@Override
			public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4)
					throws IOException {
				calls.add("snapshot");
				seenWhileStoring.add(replica[0].position());
				return super.writeSnapshot(generation, index, lz4);
			}
		};
		replica[0] = new Replica(this.database, client, ReplicaOptions.defaults("file"));

		Optional<Pos> synced = replica[0].sync();

		assertThat(calls).as("the WAL went first, as Litestream orders it").startsWith("wal", "snapshot");
		assertThat(seenWhileStoring).as("position while the snapshot was being stored")
			.containsExactly(Optional.empty());
		assertThat(replica[0].position()).isPresent().isEqualTo(synced);
		assertThat(replica[0].status().position()).isEqualTo(synced.orElseThrow());
		assertTheReplicaRestoresTheApplicationsState();
	}


	@Test
	void aReplicaThatLostItsLocalWalRestartsPastAMissingIndexAndNeverHoldsAMixedState() throws Exception {
		AtomicBoolean down = new AtomicBoolean();
		AtomicBoolean failNextSnapshot = new AtomicBoolean();
		List<Optional<Pos>> seenWhileStoring = new CopyOnWriteArrayList<>();
		Replica[] replica = new Replica[1];
		ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(this.dir.resolve("replica"))) {
			@Override
			public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
				if (down.get()) {
					throw new IOException("store unreachable");
				}
				return super.writeWalSegment(pos, lz4);
			}

			@Override
			public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4)
					throws IOException {
				seenWhileStoring.add(replica[0].position());
				if (down.get() || failNextSnapshot.getAndSet(false)) {
					throw new IOException("store unreachable");
				}
				return super.writeSnapshot(generation, index, lz4);
			}
		};
		MutableClock clock = new MutableClock();
		replica[0] = new Replica(this.database, client, ReplicaOptions.defaults("file"), clock);
		replica[0].sync();
		String first = replica[0].position().orElseThrow().generation();
		AppDatabase.Summary stored = this.app.summary();
		// The store is down while the database's index goes on past what the replica holds and
		// one more begins; the local WAL of the first is released (max-shadow-wal-size).
		down.set(true);
		this.app.insert(5);
		this.database.sync();
		this.database.checkpoint(CheckpointMode.RESTART);
		this.app.insert(5);
		this.database.sync();
		this.database.removeShadowWalBefore(this.database.position().orElseThrow().index());
		assertThatExceptionOfType(IOException.class).isThrownBy(replica[0]::sync);
		down.set(false);
		// The catch-up snapshot fails once more, once its backoff let it try again.
		failNextSnapshot.set(true);
		seenWhileStoring.clear();
		clock.advance(Duration.ofMinutes(1));

		Throwable failure = catchThrowable(replica[0]::sync);

		assertThat(failure).isInstanceOf(IOException.class).hasMessageContaining("store unreachable");
		assertThat(seenWhileStoring).as("position while the snapshot was being stored").containsExactly(Optional.empty());
		assertTheReplicaRestoresTo(stored, "the end of what it holds, not that joined to a later index");

		clock.advance(Duration.ofMinutes(1));
		replica[0].sync();

		// The snapshot is of a new index, so the index after the replica's cut one is missing
		// and shows the cut: the generation goes on, no replica needs a full snapshot of a new one.
		Pos caughtUp = replica[0].position().orElseThrow();
		assertThat(caughtUp.generation()).isEqualTo(first);
		assertThat(new FileReplicaClient(this.dir.resolve("replica")).walSegments(first))
			.extracting(WalSegmentInfo::index)
			.doesNotContain(1L);
		assertTheReplicaRestoresTheApplicationsState();
	}

	@Test
	void aPeriodicSnapshotStartsANewIndexInsteadOfReplacingTheSnapshotOfTheCurrentOne() throws Exception {
		FileReplicaClient client = new FileReplicaClient(this.dir.resolve("replica"));
		MutableClock clock = new MutableClock();
		Replica replica = new Replica(this.database, client,
				ReplicaOptions.defaults("file").withSnapshotInterval(Duration.ofHours(1)), clock);
		replica.sync();
		String generation = this.database.position().orElseThrow().generation();
		// A few rows: far from the 1,000 pages that start a new index.
		this.app.insert(1);
		this.database.sync();
		replica.sync();
		clock.advance(Duration.ofMinutes(61));

		assertThat(replica.snapshotIfDue()).isPresent();

		assertThat(client.snapshots(generation)).as("both snapshots are kept").hasSize(2);
		assertTheReplicaRestoresTheApplicationsState();
	}

	private void assertTheReplicaRestoresTheApplicationsState() throws Exception {
		assertTheReplicaRestoresTo(this.app.summary(), "the application's state");
	}

	private void assertTheReplicaRestoresTo(AppDatabase.Summary expected, String what) throws Exception {
		Path restored = this.dir.resolve("restored-" + System.nanoTime() + ".db");
		new Restorer().restore(new FileReplicaClient(this.dir.resolve("replica")), RestoreOptions.latest(restored));
		assertThat(AppDatabase.summarize(restored)).as(what).isEqualTo(expected);
	}

}
