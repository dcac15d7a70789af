package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A snapshot upload of a large database takes minutes. Litestream v0.3 snapshots on its own
 * goroutine while the monitor keeps shipping WAL; commits made meanwhile must still reach the
 * replica (and a synchronous commit must not wait for the whole upload).
 */
class SnapshotStallsWalShippingTests {

	@TempDir
	Path dir;

	@Test
	void walIsShippedWhileASnapshotUploads() throws Exception {
		Path path = this.dir.resolve("app.db");
		StallingSnapshots client = new StallingSnapshots(new FileReplicaClient(this.dir.resolve("replica")));
		Litestream engine = new Litestream();
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = engine.addDatabase(
					DatabaseOptions.defaults(path).withMonitorInterval(Duration.ofMillis(50)),
					List.of(new ReplicationTarget(client,
							ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)))));
			engine.start();
			try {
				app.insert(5);
				Replica replica = engine.replicas(database).get(0);
				await().until(() -> replica.position().equals(database.position()));
				client.stall = true;
				// An operator's snapshot (the endpoint's), as the hourly one would be.
				Future<ReplicaStatus> snapshot = engine.snapshotNow(replica);
				assertThat(client.started.await(1, TimeUnit.MINUTES)).isTrue();
				app.insert(1);
				ReplicationWait wait = engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(3));
				assertThat(wait.outcome()).as("a commit made while a snapshot uploads")
					.isEqualTo(ReplicationWait.Outcome.REPLICATED);
				client.release.countDown();
				snapshot.get(1, TimeUnit.MINUTES);
			}
			finally {
				client.release.countDown();
				engine.stop(Duration.ofSeconds(30));
				engine.close();
			}
		}
	}

	private static final class StallingSnapshots extends ForwardingReplicaClient {

		volatile boolean stall;

		final CountDownLatch started = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		StallingSnapshots(ReplicaClient delegate) {
			super(delegate);
		}

		@Override
		public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
			if (this.stall) {
				this.started.countDown();
				try {
					this.release.await(1, TimeUnit.MINUTES);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return super.writeSnapshot(generation, index, lz4);
		}

	}

}
