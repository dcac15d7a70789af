package io.github.litestream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.StoredLeases.storedLease;
import static io.github.litestream.SnapshotReadProbes.truncatingCheckpointBusy;
import static io.github.litestream.SnapshotReadProbes.runUntilReturnedOrWaiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A database unregistered, or an engine closed, while a replica's snapshot upload still reads
 * the file returns once the caller's timeout is over, as with any other upload under way: the
 * leases are abandoned, and the engine's connections, whose read transaction keeps checkpoints
 * from changing the file under the snapshot, close once the snapshot has ended. Closing waited
 * up to 5 seconds more for the snapshot, per database. Real SQLite file, real file replica, a real engine; the upload is held, not slow.
 */
class UnregisterDuringSnapshotTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(10));

	@TempDir
	Path dir;

	@Test
	void unregisteringReturnsWithoutWaitingForASnapshotStillReadingTheFile() throws Exception {
		returnsWithoutWaitingForTheSnapshot((engine, registry, file) -> {
			registry.unregister(file, Duration.ofMillis(100), Backups.KEEP);
			assertThat(registry.find(file)).isEmpty();
		});
	}

	@Test
	void closingTheEnginePastItsShutdownTimeoutDoesNotWaitForASnapshotStillReadingTheFile() throws Exception {
		returnsWithoutWaitingForTheSnapshot((engine, registry, file) -> {
			// The WAL is shipped beside the upload: the stop's flush ends, its step does not.
			engine.stop(Duration.ofMillis(100));
			engine.close();
		});
	}

	/**
	 * Holds a snapshot upload of a leased database, runs {@code ending} on a thread of its own,
	 * and checks that it returns without waiting for the snapshot, leaving the lease to expire and
	 * the engine's read transaction in place until the snapshot ends.
	 */
	private void returnsWithoutWaitingForTheSnapshot(Ending ending) throws Exception {
		Path file = this.dir.resolve("app.db");
		Path replica = this.dir.resolve("replica");
		HeldSnapshotUpload held = new HeldSnapshotUpload(new FileReplicaClient(replica));
		try (AppDatabase app = new AppDatabase(file); Litestream engine = new Litestream()) {
			app.insert(5);
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			ReplicatedDatabase database = registry.register(
					DatabaseOptions.defaults(file).withMonitorInterval(Duration.ofMillis(50)), LEASE,
					List.of(new ReplicationTarget(held,
							ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)))));
			Replica first = engine.replicas(database).get(0);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> first.position().equals(engine.commitPosition(database)));
			held.hold();
			engine.snapshotNow(first);
			assertThat(held.awaitWriting()).isTrue();

			CompletableFuture<Void> ended = runUntilReturnedOrWaiting("ending", () -> ending.run(engine, registry, file),
					"awaitSnapshot");
			assertThat(ended).as("returned, rather than waiting for the snapshot").isDone();
			ended.get();
			assertThat(storedLease(replica).released()).as("abandoned, left to expire").isFalse();
			assertThat(truncatingCheckpointBusy(app)).as("the engine still reads, for the snapshot").isTrue();

			held.release();
			await().atMost(Duration.ofSeconds(30)).until(() -> !truncatingCheckpointBusy(app));
			assertThat(app.summary().integrity()).isEqualTo("ok");
		}
		finally {
			held.release();
		}
	}

	@FunctionalInterface
	private interface Ending {

		void run(Litestream engine, DatabaseRegistry registry, Path file) throws Exception;

	}

}
