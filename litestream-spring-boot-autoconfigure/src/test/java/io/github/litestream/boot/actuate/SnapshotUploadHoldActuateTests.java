package io.github.litestream.boot.actuate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.AppDatabase;
import io.github.litestream.HeldSnapshotUpload;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.MutableClock;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A snapshot upload that holds checkpoints back longer than the checkpoint interval, while WAL
 * shipping keeps every replica healthy: the endpoint shows since when, health warns (its status
 * stays as it is, as for a WAL pinned by a reader), the log warns once, and all of it clears
 * when the upload ends.
 */
@ExtendWith(OutputCaptureExtension.class)
@SuppressWarnings("unchecked")
class SnapshotUploadHoldActuateTests {

	private static final Duration CHECKPOINT_INTERVAL = Duration.ofMinutes(1);

	private static final String LOGGED = "by a snapshot that is still reading the database for its upload";

	@TempDir
	Path dir;

	@Test
	void aLongUploadThatHoldsCheckpointsBackIsShownWarnedOnceAndCleared(CapturedOutput output) throws Exception {
		Path path = this.dir.resolve("app.db");
		MutableClock clock = new MutableClock();
		HeldSnapshotUpload client = new HeldSnapshotUpload(new FileReplicaClient(this.dir.resolve("replica")));
		Litestream litestream = new Litestream(clock, null);
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = litestream.addDatabase(
					DatabaseOptions.defaults(path)
						.withMonitorInterval(Duration.ofMillis(50))
						.withCheckpoints(CHECKPOINT_INTERVAL, 1000, 10000),
					List.of(new ReplicationTarget(client,
							ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)))));
			AtomicInteger syncs = new AtomicInteger();
			database.addListener(new DatabaseListener() {

				@Override
				public void onSync(Duration duration, long bytes) {
					syncs.incrementAndGet();
				}

			});
			litestream.start();
			ReplicaLagTracker lag = new ReplicaLagTracker(litestream, clock);
			lag.attach();
			LitestreamHealthProperties properties = new LitestreamHealthProperties();
			properties.setMaxFailureDuration(Duration.ofHours(1));
			properties.setMaxLag(Duration.ofHours(1));
			LitestreamHealthIndicator health = new LitestreamHealthIndicator(litestream, lag, properties, clock);
			LitestreamEndpoint endpoint = new LitestreamEndpoint(litestream, lag);
			try {
				app.insert(5);
				Replica replica = litestream.replicas(database).get(0);
				await().until(() -> replica.position().equals(database.position()));
				client.hold();
				Future<ReplicaStatus> snapshot = litestream.snapshotNow(replica);
				assertThat(client.awaitWriting()).isTrue();
				app.insert(5);
				database.checkpoint(CheckpointMode.PASSIVE);
				assertThat(health.health().getDetails()).doesNotContainKey("warnings");
				assertThat(endpoint.litestream().databases().get(0).checkpointsHeldSince()).isNull();

				clock.advance(CHECKPOINT_INTERVAL);
				// The monitor's time-based checkpoint is due now, and held back at every step.
				int steps = syncs.get();
				await().until(() -> syncs.get() >= steps + 5);
				Health held = health.health();
				assertThat(held.getStatus()).isEqualTo(Status.UP);
				assertThat((List<String>) held.getDetails().get("warnings")).singleElement()
					.asString()
					.contains("checkpoints of " + database.path(), "held back since", "checkpoint-interval",
							"snapshot upload", "MiB");
				assertThat(endpoint.litestream().databases().get(0).checkpointsHeldSince())
					.isEqualTo(database.checkpointsHeld().orElseThrow().since());
				assertThat(output.getAll().split(LOGGED, -1)).as("one WARN, not one per step").hasSize(2);

				client.release();
				snapshot.get(1, TimeUnit.MINUTES);
				await().untilAsserted(() -> {
					assertThat(health.health().getDetails()).doesNotContainKey("warnings");
					assertThat(endpoint.litestream().databases().get(0).checkpointsHeldSince()).isNull();
				});
				assertThat(output.getAll()).contains("run again: the snapshot that held them back");
			}
			finally {
				client.release();
				litestream.stop(Duration.ofSeconds(30));
				litestream.close();
			}
		}
	}

}
