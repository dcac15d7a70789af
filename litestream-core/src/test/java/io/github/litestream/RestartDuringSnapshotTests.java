package io.github.litestream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An engine closed while a snapshot upload still reads the file abandons its leases: that upload
 * may yet land. Started again in the same process before the snapshot ended, the engine cannot
 * open the database yet; whatever the start does then, it must not store the leases released,
 * which would let another instance write at once while the abandoned upload may still land.
 * Real SQLite file, real file replica, a real engine; the upload is held, not slow.
 */
class RestartDuringSnapshotTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(10));

	@TempDir
	Path dir;

	@Test
	void aStartAgainWhileTheAbandonedSnapshotStillReadsTheFileDoesNotReleaseTheLease() throws Exception {
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

			try {
				engine.start();
			}
			catch (Exception ex) {
				// Refusing to start while the snapshot still reads the file is fair.
			}
			assertThat(storedLease(replica).released())
				.as("released while the abandoned snapshot upload may still land").isFalse();
		}
		finally {
			held.release();
			engine.close();
		}
	}

	private static LeaseRecord storedLease(Path replica) throws Exception {
		return LeaseRecord.parse(new FileReplicaClient(replica).conditionalObjects()
			.orElseThrow()
			.read(ReplicaLease.OBJECT)
			.orElseThrow()
			.content());
	}

}
