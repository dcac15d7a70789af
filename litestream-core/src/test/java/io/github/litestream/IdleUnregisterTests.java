package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
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
 * Unregistering a database while the engine does not run warned that its replication "stopped
 * before every replica received every commit", although nothing had ever run to ship (registered
 * before the start), or everything had been shipped (after a stop). The warning now stays for
 * commits that really were left behind; those made after a stop are shipped by the unregister.
 */
class IdleUnregisterTests {

	private static final Duration FAST = Duration.ofMillis(50);

	private static final String WARNING = "stopped before every replica received every commit";

	@TempDir
	Path dir;

	private volatile boolean refuseWrites;

	@Test
	void unregisteredBeforeTheStartItWarnsOfNothing() throws Exception {
		Path path = this.dir.resolve("app.db");
		try (Litestream engine = new Litestream(); AppDatabase app = new AppDatabase(path);
				CapturedStderr log = new CapturedStderr()) {
			app.insert(3);
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			registry.register(options(path), targets());
			assertThat(registry.unregister(path, Duration.ofSeconds(30), Backups.KEEP)).isTrue();
			assertThat(log.lines()).noneMatch((line) -> line.contains(WARNING));
		}
	}

	@Test
	void unregisteredAfterAStopItShipsWhatWasCommittedSinceAndWarnsOfNothing() throws Exception {
		Path path = this.dir.resolve("app.db");
		try (Litestream engine = new Litestream(); AppDatabase app = new AppDatabase(path)) {
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			engine.start();
			ReplicatedDatabase database = registry.register(options(path), targets());
			app.insert(5);
			awaitCaughtUp(engine, database);
			assertThat(engine.stop(Duration.ofSeconds(30))).isTrue();
			app.insert(2);
			try (CapturedStderr log = new CapturedStderr()) {
				assertThat(registry.unregister(path, Duration.ofSeconds(30), Backups.KEEP)).isTrue();
				assertThat(log.lines()).noneMatch((line) -> line.contains(WARNING));
			}
			assertThat(restore()).isEqualTo(app.summary());
		}
	}

	@Test
	void unregisteredAfterAStopWithCommitsNoReplicaTookItStillWarns() throws Exception {
		Path path = this.dir.resolve("app.db");
		try (Litestream engine = new Litestream(); AppDatabase app = new AppDatabase(path)) {
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			engine.start();
			ReplicatedDatabase database = registry.register(options(path), targets());
			app.insert(5);
			awaitCaughtUp(engine, database);
			assertThat(engine.stop(Duration.ofSeconds(30))).isTrue();
			this.refuseWrites = true;
			app.insert(2);
			try (CapturedStderr log = new CapturedStderr()) {
				assertThat(registry.unregister(path, Duration.ofSeconds(2), Backups.KEEP)).isFalse();
				assertThat(log.lines()).anyMatch((line) -> line.contains(WARNING) && line.contains(path.toString()));
			}
		}
	}

	private static DatabaseOptions options(Path path) {
		return DatabaseOptions.defaults(path).withMonitorInterval(FAST);
	}

	private List<ReplicationTarget> targets() {
		FileReplicaClient file = new FileReplicaClient(this.dir.resolve("replica"));
		return List.of(new ReplicationTarget(new ForwardingReplicaClient(file) {

			@Override
			public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
				if (IdleUnregisterTests.this.refuseWrites) {
					throw new IOException("refused by the test");
				}
				return super.writeWalSegment(pos, lz4);
			}

		}, ReplicaOptions.defaults("file").withSyncInterval(FAST)));
	}

	private AppDatabase.Summary restore() throws Exception {
		Path out = this.dir.resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(this.dir.resolve("replica")), RestoreOptions.latest(out));
		return AppDatabase.summarize(out);
	}

	private static void awaitCaughtUp(Litestream engine, ReplicatedDatabase database) {
		await().atMost(Duration.ofMinutes(1)).until(() -> {
			Optional<Pos> committed = engine.commitPosition(database);
			return committed.isPresent()
					&& engine.replicas(database).stream().allMatch((r) -> r.position().equals(committed));
		});
	}

}
