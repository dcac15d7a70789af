package io.github.litestream;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.CheckpointsHeld;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A snapshot upload holds checkpoints back while WAL shipping goes on beside it, so nothing
 * else shows that the WAL grows: once that lasts longer than the checkpoint interval, the
 * database says so, until the upload ends.
 */
class SnapshotUploadHoldsCheckpointsTests {

	private static final Duration CHECKPOINT_INTERVAL = Duration.ofMinutes(1);

	@TempDir
	Path dir;

	@Test
	void checkpointsHeldBackLongerThanTheCheckpointIntervalAreReportedUntilTheUploadEnds() throws Exception {
		Path path = this.dir.resolve("app.db");
		MutableClock clock = new MutableClock();
		HeldSnapshotUpload client = new HeldSnapshotUpload(new FileReplicaClient(this.dir.resolve("replica")));
		Litestream engine = new Litestream(clock, null);
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = engine.addDatabase(
					DatabaseOptions.defaults(path)
						.withMonitorInterval(Duration.ofMillis(50))
						.withCheckpoints(CHECKPOINT_INTERVAL, 1000, 10000),
					List.of(new ReplicationTarget(client,
							ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)))));
			engine.start();
			try {
				app.insert(5);
				Replica replica = engine.replicas(database).get(0);
				await().until(() -> replica.position().equals(database.position()));
				client.hold();
				Future<ReplicaStatus> snapshot = engine.snapshotNow(replica);
				assertThat(client.awaitWriting()).isTrue();
				app.insert(5);
				Instant firstHeld = clock.instant();
				database.checkpoint(CheckpointMode.PASSIVE);
				assertThat(database.checkpointsHeld()).as("held back for moments only").isEmpty();

				clock.advance(CHECKPOINT_INTERVAL);
				database.checkpoint(CheckpointMode.PASSIVE);
				CheckpointsHeld held = database.checkpointsHeld().orElseThrow();
				assertThat(held.since()).isBetween(firstHeld, firstHeld.plusSeconds(30));
				assertThat(held.threshold()).isEqualTo(CHECKPOINT_INTERVAL);
				assertThat(replica.status().failingSince()).as("the replica looks healthy meanwhile").isNull();
				app.insert(5);
				assertThat(engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(30)).outcome())
					.as("WAL shipping goes on")
					.isEqualTo(ReplicationWait.Outcome.REPLICATED);
				assertThat(database.checkpointsHeld()).as("still held").isPresent();

				client.release();
				snapshot.get(1, TimeUnit.MINUTES);
				await().until(() -> database.checkpointsHeld().isEmpty());
				// The time-based checkpoint that was held back runs at the next step.
				await().until(() -> !database.lastCheckpointAt().isBefore(firstHeld.plus(CHECKPOINT_INTERVAL)));
				assertThat(database.checkpointsHeld()).isEmpty();
			}
			finally {
				client.release();
				engine.stop(Duration.ofSeconds(30));
				engine.close();
			}
		}
	}

}
