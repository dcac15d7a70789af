package io.github.litestream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.StoredLeases.storedLease;
import static io.github.litestream.SnapshotReadProbes.truncatingCheckpointBusy;
import static io.github.litestream.SnapshotReadProbes.runUntilReturnedOrWaiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

/**
 * An engine closed while a snapshot upload still reads the file abandons its leases: that upload
 * may yet land. Started again in the same process before the snapshot ended, the engine waits
 * for it (the database's connections close when it ends) and then opens the database; it must
 * not store the leases released meanwhile, which would let another instance write at once while
 * the abandoned upload may still land. An open that waited in vain names the file, the upload
 * and what to do. Real SQLite file, real file replica, a real engine; the upload is held, not slow.
 */
class RestartDuringSnapshotTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(10));

	@TempDir
	Path dir;

	@Test
	void aStartAgainWhileTheAbandonedSnapshotStillReadsTheFileWaitsForItKeepsTheLeaseAndReplicates()
			throws Exception {
		Path file = this.dir.resolve("app.db");
		Path replica = this.dir.resolve("replica");
		HeldSnapshotUpload held = new HeldSnapshotUpload(new FileReplicaClient(replica));
		Litestream engine = new Litestream();
		try (AppDatabase app = new AppDatabase(file)) {
			app.insert(5);
			ReplicatedDatabase database = engine.addDatabase(
					DatabaseOptions.defaults(file).withMonitorInterval(Duration.ofMillis(50)), LEASE,
					List.of(new ReplicationTarget(held,
							ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)))));
			engine.start();
			Replica first = engine.replicas(database).get(0);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> first.position().equals(engine.commitPosition(database)));
			held.hold();
			engine.snapshotNow(first);
			assertThat(held.awaitWriting()).isTrue();
			engine.stop(Duration.ofMillis(100));
			engine.close();
			assertThat(storedLease(replica).released()).as("abandoned, left to expire").isFalse();

			CompletableFuture<Void> started = runUntilReturnedOrWaiting("starting", engine::start, "awaitClosed");
			assertThat(started).as("waiting for the abandoned snapshot to end, rather than failing").isNotDone();
			assertThat(storedLease(replica).released())
				.as("released while the abandoned snapshot upload may still land").isFalse();

			held.release();
			started.get(60, TimeUnit.SECONDS);
			app.insert(5);
			Replica again = engine.replicas(database).get(0);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> again.position().equals(engine.commitPosition(database)));
			assertThat(storedLease(replica).released()).isFalse();
			Path restored = this.dir.resolve("restored.db");
			new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(restored));
			assertThat(AppDatabase.summarize(restored)).isEqualTo(app.summary());
		}
		finally {
			held.release();
			engine.close();
		}
	}

	@Test
	void anOpenThatWaitedInVainForTheSnapshotNamesTheFileAndWhatToDo() throws Exception {
		Path file = this.dir.resolve("app.db");
		ExecutorService uploader = Executors.newSingleThreadExecutor();
		try (AppDatabase app = new AppDatabase(file)) {
			app.insert(5);
			ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(file));
			database.open();
			database.sync();
			CountDownLatch reading = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			Future<Long> snapshot = uploader.submit(() -> database.snapshot((pos, in) -> {
				reading.countDown();
				try {
					release.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IOException(ex);
				}
				return in.transferTo(OutputStream.nullOutputStream());
			}));
			assertThat(reading.await(30, TimeUnit.SECONDS)).isTrue();
			database.close(Duration.ZERO);

			assertThatIOException().isThrownBy(() -> database.open(Duration.ofMillis(200)))
				.withMessageStartingWith("Cannot open " + database.path() + " for replication yet: a snapshot upload "
						+ "of the previous run (closed while the upload still read the file) still reads it after PT0.2S")
				.withMessageContaining("start again later");
			assertThat(truncatingCheckpointBusy(app)).as("the engine still reads, for the snapshot").isTrue();

			release.countDown();
			assertThat(snapshot.get(30, TimeUnit.SECONDS)).isPositive();
			database.open(Duration.ofSeconds(30));
			app.insert(5);
			database.sync();
			assertThat(database.position()).isPresent();
			database.close();
		}
		finally {
			uploader.shutdownNow();
		}
	}

}
