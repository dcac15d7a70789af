package io.github.litestream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A database unregistered while a snapshot upload still reads its file returns at once, its
 * connections left open until the snapshot ends; registered again meanwhile, the new
 * registration has connections, a descriptor and the same local state directory beside the old
 * ones. Once the old snapshot has ended and closed them, the replica must still restore to what
 * the application committed. Real SQLite file, real file replica, a real engine; the upload is
 * held, not slow.
 */
class ReRegisterDuringSnapshotTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(3));

	@TempDir
	Path dir;

	@Test
	void aRegistrationAgainWhileTheOldSnapshotStillReadsTheFileReplicatesEveryCommit() throws Exception {
		Path file = this.dir.resolve("app.db");
		Path replica = this.dir.resolve("replica");
		HeldSnapshotUpload held = new HeldSnapshotUpload(new FileReplicaClient(replica));
		try (AppDatabase app = new AppDatabase(file); Litestream engine = new Litestream()) {
			app.insert(5);
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			ReplicatedDatabase database = registry.register(options(file), LEASE, List.of(target(held)));
			Replica first = engine.replicas(database).get(0);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> first.position().equals(engine.commitPosition(database)));
			held.hold();
			Future<ReplicaStatus> snapshot = engine.snapshotNow(first);
			assertThat(held.awaitWriting()).isTrue();
			registry.unregister(file, Duration.ofMillis(100), Backups.KEEP);

			ReplicatedDatabase again = registry.register(options(file), LEASE,
					List.of(target(new FileReplicaClient(replica))));
			Replica second = engine.replicas(again).get(0);
			app.insert(5);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> second.position().equals(engine.commitPosition(again)));
			held.release();
			await().atMost(Duration.ofSeconds(30)).until(snapshot::isDone);
			app.insert(5);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> second.position().equals(engine.commitPosition(again)));
			assertThat(registry.unregister(file, Duration.ofSeconds(10), Backups.KEEP)).isTrue();

			AppDatabase.Summary committed = app.summary();
			assertThat(committed.count()).isEqualTo(15);
			Path restored = this.dir.resolve("restored.db");
			new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(restored));
			assertThat(AppDatabase.summarize(restored)).isEqualTo(committed);

			// The next registration continues from the state the second one left.
			ReplicatedDatabase third = registry.register(options(file), LEASE,
					List.of(target(new FileReplicaClient(replica))));
			Replica last = engine.replicas(third).get(0);
			app.insert(5);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> last.position().equals(engine.commitPosition(third)));
			assertThat(registry.unregister(file, Duration.ofSeconds(10), Backups.KEEP)).isTrue();
			Path restoredAgain = this.dir.resolve("restored-again.db");
			new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(restoredAgain));
			assertThat(AppDatabase.summarize(restoredAgain)).isEqualTo(app.summary());
			assertThat(app.summary().integrity()).isEqualTo("ok");
		}
		finally {
			held.release();
		}
	}

	private static DatabaseOptions options(Path file) {
		return DatabaseOptions.defaults(file).withMonitorInterval(Duration.ofMillis(50));
	}

	private static ReplicationTarget target(ReplicaClient client) {
		return new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)));
	}

}
