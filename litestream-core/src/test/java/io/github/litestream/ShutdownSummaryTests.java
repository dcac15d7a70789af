package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An engine's shutdown logged nothing at INFO about its final flush or its leases, where a
 * Litestream user expects a line as on SIGTERM. Its close now ends with one line for the whole
 * engine: how many databases stopped, whether every commit reached every replica, and the leases.
 */
class ShutdownSummaryTests {

	private static final Duration FAST = Duration.ofMillis(50);

	private static final String SUMMARY = "Stopped replicating ";

	@TempDir
	Path dir;

	private volatile boolean refuseWrites;

	@Test
	void aCleanShutdownSaysEveryCommitShippedAndTheLeasesReleased() throws Exception {
		try (CapturedStderr log = new CapturedStderr()) {
			try (Litestream engine = new Litestream(); AppDatabase a = new AppDatabase(this.dir.resolve("a.db"));
					AppDatabase b = new AppDatabase(this.dir.resolve("b.db"))) {
				DatabaseRegistry registry = new DatabaseRegistry(engine);
				engine.start();
				ReplicatedDatabase first = registry.register(options("a.db"), new LeaseOptions(true, Duration.ofSeconds(10)),
						targets("a"));
				ReplicatedDatabase second = registry.register(options("b.db"), targets("b"));
				a.insert(3);
				b.insert(3);
				awaitCaughtUp(engine, first);
				awaitCaughtUp(engine, second);
				assertThat(engine.stop(Duration.ofSeconds(30))).isTrue();
				assertThat(summaries(log)).as("logged once the leases are released, at close").isEmpty();
			}
			assertThat(summaries(log)).singleElement()
				.asString()
				.contains("INFO")
				.contains("Stopped replicating 2 database(s): every commit shipped to every replica in ")
				.endsWith(" ms; 1 lease(s) released");
		}
	}

	@Test
	void commitsLeftBehindAreCountedByDatabase() throws Exception {
		try (CapturedStderr log = new CapturedStderr()) {
			try (Litestream engine = new Litestream(); AppDatabase app = new AppDatabase(this.dir.resolve("a.db"))) {
				DatabaseRegistry registry = new DatabaseRegistry(engine);
				engine.start();
				ReplicatedDatabase database = registry.register(options("a.db"), targets("a"));
				app.insert(3);
				awaitCaughtUp(engine, database);
				this.refuseWrites = true;
				app.insert(2);
				assertThat(engine.stop(Duration.ofSeconds(1))).isFalse();
			}
			assertThat(summaries(log)).singleElement()
				.asString()
				.contains("Stopped replicating 1 database(s): 1 with commits not on every replica yet (kept in the "
						+ "local shadow WAL, shipped at the next start) in ")
				.endsWith(" ms");
		}
	}

	@Test
	void anEngineThatNeverRanSaysNothing() throws Exception {
		try (CapturedStderr log = new CapturedStderr()) {
			try (Litestream engine = new Litestream()) {
				new DatabaseRegistry(engine).register(options("a.db"), targets("a"));
			}
			assertThat(summaries(log)).isEmpty();
		}
	}

	private static List<String> summaries(CapturedStderr log) {
		return log.lines().stream().filter((line) -> line.contains(SUMMARY)).toList();
	}

	private DatabaseOptions options(String file) {
		return DatabaseOptions.defaults(this.dir.resolve(file)).withMonitorInterval(FAST);
	}

	private List<ReplicationTarget> targets(String name) {
		FileReplicaClient file = new FileReplicaClient(this.dir.resolve("replicas/" + name));
		return List.of(new ReplicationTarget(new ForwardingReplicaClient(file) {

			@Override
			public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
				if (ShutdownSummaryTests.this.refuseWrites) {
					throw new IOException("refused by the test");
				}
				return super.writeWalSegment(pos, lz4);
			}

		}, ReplicaOptions.defaults("file").withSyncInterval(FAST)));
	}

	private static void awaitCaughtUp(Litestream engine, ReplicatedDatabase database) {
		await().atMost(Duration.ofMinutes(1)).until(() -> {
			Optional<Pos> committed = engine.commitPosition(database);
			return committed.isPresent()
					&& engine.replicas(database).stream().allMatch((r) -> r.position().equals(committed));
		});
	}

}
