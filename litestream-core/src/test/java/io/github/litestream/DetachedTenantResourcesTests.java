package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.EngineResources.descriptorsOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tenant that stops being replicated gives back every descriptor the engine had on its
 * files, even when a snapshot still read it at that moment, or the application still had it
 * open: with thousands of tenants coming and going, what one keeps adds up until the process
 * runs out of descriptors. Counted in {@code /proc/self/fd}.
 */
class DetachedTenantResourcesTests {

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	private Path tenants;

	@RegisterExtension
	final RunningEngine running = new RunningEngine();

	private SlowSnapshotClient slow;

	@BeforeEach
	void start() throws Exception {
		this.tenants = Files.createDirectories(this.dir.resolve("tenants"));
	}

	@AfterEach
	void close() {
		if (this.slow != null) {
			this.slow.release();
		}
	}

	@Test
	void aTenantThatVanishesMidSnapshotIsClosedWhenTheSnapshotEnds() throws Exception {
		try (DirectoryReplication directory = directory(true)) {
			Path a = this.tenants.resolve("a.db");
			try (AppDatabase app = new AppDatabase(a)) {
				app.insert(20);
				directory.scan();
				assertThat(this.slow.awaitStarted()).isTrue();
			}
			for (String suffix : new String[] { "", "-wal", "-shm" }) {
				Files.deleteIfExists(this.tenants.resolve("a.db" + suffix));
			}
			// Stops it with no time to wait for the stalled snapshot.
			directory.scan();
			assertThat(directory.databases()).isEmpty();
			this.slow.release();
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(descriptorsOn(this.tenants, "a.db")).as("descriptors left on a.db").isEmpty());
		}
	}

	@Test
	void aTenantDeletedWhileTheApplicationStillHadItOpenLeavesNoDescriptor() throws Exception {
		try (DirectoryReplication directory = directory(false)) {
			Path a = this.tenants.resolve("a.db");
			try (AppDatabase app = new AppDatabase(a)) {
				app.insert(5);
				directory.add(a);
				// The application's connection keeps the WAL: the engine's close keeps its descriptor.
				directory.delete(a, Duration.ofSeconds(30), Backups.KEEP);
			}
			assertThat(a).doesNotExist();
			directory.scan();
			assertThat(descriptorsOn(this.tenants, "a.db")).as("descriptors left on a.db").isEmpty();
		}
	}

	private DirectoryReplication directory(boolean stallSnapshots) {
		return new DirectoryReplication(this.running.registry(), this.tenants, "*.db", false,
				DatabaseOptions.defaults(this.tenants.resolve("template.db")).withMonitorInterval(FAST), (relative) -> {
					FileReplicaClient file = new FileReplicaClient(this.dir.resolve("replica").resolve(relative));
					if (stallSnapshots) {
						this.slow = new SlowSnapshotClient(file);
					}
					return List.of(new ReplicationTarget(stallSnapshots ? this.slow : file,
							ReplicaOptions.defaults("file").withSyncInterval(FAST)));
				});
	}


}
