package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An engine stopped while a replica step still runs (the stop's timeout passed during a slow
 * upload), then started again: a replica is used by one thread at a time, so the new run's
 * steps wait for the old one's to end.
 */
class EngineRestartTests {

	@TempDir
	Path dir;

	@Test
	void aStartAfterAStopThatTimedOutWaitsForTheStepStillRunning() throws Exception {
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger mostInside = new AtomicInteger();
		AtomicBoolean slow = new AtomicBoolean();
		CountDownLatch uploading = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(this.dir.resolve("replica"))) {
			@Override
			public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
				mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
				try {
					if (slow.getAndSet(false)) {
						uploading.countDown();
						finish.await(30, TimeUnit.SECONDS);
					}
					return super.writeWalSegment(pos, lz4);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IOException(ex);
				}
				finally {
					inside.decrementAndGet();
				}
			}
		};
		Path db = this.dir.resolve("app.db");
		Litestream engine = new Litestream();
		try (AppDatabase app = new AppDatabase(db)) {
			ReplicatedDatabase database = engine.addDatabase(
					DatabaseOptions.defaults(db).withMonitorInterval(Duration.ofMillis(50)),
					List.of(new ReplicationTarget(client,
							ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)))));
			engine.start();
			app.insert(5);
			engine.commitPosition(database);
			await().atMost(Duration.ofSeconds(30)).until(() -> engine.replicas(database).get(0).position().isPresent());
			slow.set(true);
			app.insert(5);
			assertThat(uploading.await(30, TimeUnit.SECONDS)).isTrue();
			engine.stop(Duration.ofMillis(100));

			engine.start();
			app.insert(5);
			engine.commitPosition(database);
			// The new run has commits to ship: none of its uploads may start while the old one runs.
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> inside.get() == 1);
			finish.countDown();

			await().atMost(Duration.ofSeconds(30))
				.until(() -> engine.replicas(database).get(0).position().equals(database.position()));
			assertThat(mostInside).as("uploads to the replica at once").hasValue(1);
			Path restored = this.dir.resolve("restored.db");
			new Restorer().restore(new FileReplicaClient(this.dir.resolve("replica")), RestoreOptions.latest(restored));
			assertThat(AppDatabase.summarize(restored)).isEqualTo(app.summary());
		}
		finally {
			finish.countDown();
			engine.close();
		}
	}

}
