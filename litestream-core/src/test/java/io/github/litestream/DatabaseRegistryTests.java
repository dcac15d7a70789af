package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseException;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tenants that come and go while the engine runs: a new one is replicated at once, a missing
 * one is restored before it is replicated, and a deleted one stops, keeping or deleting its
 * backups as asked.
 */
class DatabaseRegistryTests {

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	@RegisterExtension
	final RunningEngine running = new RunningEngine();

	@Test
	void aTenantCreatedWhileTheEngineRunsIsReplicatedAtOnce() throws Exception {
		Path path = this.dir.resolve("tenant-a.db");
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = this.running.registry().register(options(path), targets("tenant-a"));
			app.insert(30);
			awaitCaughtUp(database);
			assertThat(this.running.registry().find(path)).contains(database);
			assertThat(restore("tenant-a")).isEqualTo(app.summary());
		}
	}

	@Test
	void aTenantRegisteredWhileTheEngineShutsDownIsRefusedRatherThanLeftUnreplicated() throws Exception {
		Path path = this.dir.resolve("late.db");
		this.running.engine().stop(Duration.ofSeconds(30));
		try (AppDatabase app = new AppDatabase(path)) {
			app.insert(1);
			assertThatIllegalStateException()
				.isThrownBy(() -> this.running.registry().register(options(path), targets("late")))
				.withMessageContaining(path.toString())
				.withMessageContaining("shutting down");
		}
		assertThat(this.running.registry().find(path)).isEmpty();
	}

	@Test
	void aTenantWhoseFileIsMissingIsRestoredThenReplicated() throws Exception {
		Path path = this.dir.resolve("tenant-b.db");
		Summary before;
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = this.running.registry().register(options(path), targets("tenant-b"));
			app.insert(25);
			awaitCaughtUp(database);
			before = app.summary();
		}
		assertThat(this.running.registry().unregister(path, Duration.ofSeconds(30), Backups.KEEP)).isTrue();
		deleteLocalFiles(path);
		ReplicatedDatabase again = this.running.registry().register(options(path), targets("tenant-b"));
		assertThat(AppDatabase.summarize(path)).isEqualTo(before);
		try (AppDatabase app = new AppDatabase(path)) {
			app.insert(10);
			awaitCaughtUp(again);
			assertThat(app.summary().count()).isEqualTo(35);
			assertThat(restore("tenant-b")).isEqualTo(app.summary());
		}
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replicas/tenant-b"));
		assertThat(replica.generations()).as("the restored tenant continues its generation").hasSize(1);
		assertThat(replica.snapshots(replica.generations().get(0))).as("and uploads no new snapshot").hasSize(1);
	}

	@Test
	void anUnregisteredTenantIsNoLongerReplicatedAndKeepsItsBackups() throws Exception {
		Path path = this.dir.resolve("tenant-c.db");
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = this.running.registry().register(options(path), targets("tenant-c"));
			app.insert(10);
			awaitCaughtUp(database);
			Summary replicated = app.summary();
			app.close();
			assertThat(this.running.registry().unregister(path, Duration.ofSeconds(30), Backups.KEEP)).isTrue();
			assertThat(this.running.registry().find(path)).isEmpty();
			assertThat(this.running.engine().replicas(database))
				.as("a health check that listed it before: no replicas, no error")
				.isEmpty();
			try (AppDatabase later = new AppDatabase(path)) {
				later.insert(10);
				Thread.sleep(300); // six sync intervals: nothing may ship them
			}
			assertThat(restore("tenant-c")).isEqualTo(replicated);
		}
	}

	@Test
	void deletingATenantWithItsBackupsEmptiesItsReplica() throws Exception {
		Path path = this.dir.resolve("tenant-d.db");
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replicas/tenant-d"));
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = this.running.registry().register(options(path), targets("tenant-d"));
			app.insert(10);
			awaitCaughtUp(database);
		}
		assertThat(replica.generations()).isNotEmpty();
		assertThat(this.running.registry().unregister(path, Duration.ofSeconds(30), Backups.DELETE)).isTrue();
		assertThat(replica.generations()).isEmpty();
	}

	@Test
	void deletingALeasedTenantWithItsBackupsEmptiesItsReplicaWhileTheLeaseIsHeld() throws Exception {
		Path path = this.dir.resolve("tenant-g.db");
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replicas/tenant-g"));
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = this.running.registry().register(options(path), new LeaseOptions(true,
					Duration.ofSeconds(6)), targets("tenant-g"));
			app.insert(10);
			awaitCaughtUp(database);
		}
		assertThat(replica.generations()).isNotEmpty();
		assertThat(this.running.registry().unregister(path, Duration.ofSeconds(30), Backups.DELETE)).isTrue();
		assertThat(replica.generations()).isEmpty();
	}

	@Test
	void aLeasedTenantRefusesASecondInstanceUntilItIsUnregistered() throws Exception {
		Path path = this.dir.resolve("tenant-f.db");
		LeaseOptions lease = new LeaseOptions(true, Duration.ofSeconds(6));
		try (AppDatabase app = new AppDatabase(path)) {
			this.running.registry().register(options(path), lease, targets("tenant-f"));
			Litestream other = new Litestream();
			try {
				other.start();
				DatabaseRegistry otherRegistry = new DatabaseRegistry(other);
				Path otherPath = this.dir.resolve("other-f.db");
				assertThatExceptionOfType(LeaseException.class)
					.isThrownBy(() -> otherRegistry.register(options(otherPath), lease, targets("tenant-f")));
				assertThat(otherRegistry.find(otherPath)).isEmpty();
				assertThat(this.running.registry().unregister(path, Duration.ofSeconds(30), Backups.KEEP)).isTrue();
				assertThat(otherRegistry.register(options(otherPath), lease, targets("tenant-f"))).isNotNull();
			}
			finally {
				other.stop(Duration.ofSeconds(30));
				other.close();
			}
		}
	}

	@Test
	void aMissingLeasedTenantIsRestoredOnlyUnderItsLeaseThenContinued() throws Exception {
		Path path = this.dir.resolve("tenant-g.db");
		LeaseOptions lease = new LeaseOptions(true, Duration.ofSeconds(6));
		Litestream other = new Litestream();
		Summary last;
		try {
			other.start();
			DatabaseRegistry otherRegistry = new DatabaseRegistry(other);
			Path otherPath = this.dir.resolve("other-g.db");
			try (AppDatabase app = new AppDatabase(otherPath)) {
				ReplicatedDatabase written = otherRegistry.register(options(otherPath), lease, targets("tenant-g"));
				app.insert(20);
				awaitCaughtUp(other, written);
				assertThatExceptionOfType(LeaseException.class)
					.isThrownBy(() -> this.running.registry().register(options(path), lease, targets("tenant-g")));
				assertThat(path).as("nothing restored while another instance holds the lease").doesNotExist();
				app.insert(5);
				last = app.summary();
				// Its final flush ships the last rows.
				assertThat(otherRegistry.unregister(otherPath, Duration.ofSeconds(30), Backups.KEEP)).isTrue();
			}
		}
		finally {
			other.stop(Duration.ofSeconds(30));
			other.close();
		}
		ReplicatedDatabase restored = this.running.registry().register(options(path), lease, targets("tenant-g"));
		assertThat(AppDatabase.summarize(path)).isEqualTo(last);
		Litestream engine = this.running.engine();
		assertThat(engine.lease(engine.replicas(restored).get(0)).orElseThrow().record().epoch())
			.as("taken once for the restore and handed to the engine")
			.isEqualTo(2);
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replicas/tenant-g"));
		assertThat(replica.generations()).as("the restored generation continues").hasSize(1);
	}

	@Test
	void twoDatabasesCannotShareAReplicaLocation() throws Exception {
		Path first = this.dir.resolve("tenant-h.db");
		Path second = this.dir.resolve("tenant-i.db");
		try (AppDatabase a = new AppDatabase(first); AppDatabase b = new AppDatabase(second)) {
			DatabaseRegistry registry = this.running.registry();
			registry.register(options(first), new LeaseOptions(true, Duration.ofSeconds(6)), targets("shared"));
			assertThatIllegalStateException()
				.isThrownBy(() -> registry.register(options(second), new LeaseOptions(true, Duration.ofSeconds(6)),
						targets("shared")))
				.withMessageContaining(second.toString())
				.withMessageContaining("already a replica of " + first)
				.withMessageContaining("a replica path of its own");
			assertThat(registry.unregister(first, Duration.ofSeconds(30), Backups.KEEP)).isTrue();
			assertThat(registry.register(options(second), targets("shared"))).as("free again").isNotNull();
		}
	}

	@Test
	void aPathIsRegisteredOnlyOnce() throws Exception {
		Path path = this.dir.resolve("tenant-e.db");
		try (AppDatabase app = new AppDatabase(path)) {
			this.running.registry().register(options(path), targets("tenant-e"));
			assertThatIllegalStateException()
				.isThrownBy(() -> this.running.registry().register(options(path), targets("other")))
				.withMessageContaining("tenant-e.db")
				.withMessageContaining("already replicated");
		}
	}

	private static DatabaseOptions options(Path path) {
		return DatabaseOptions.defaults(path).withMonitorInterval(FAST);
	}

	private List<ReplicationTarget> targets(String name) {
		return List.of(new ReplicationTarget(new FileReplicaClient(this.dir.resolve("replicas/" + name)),
				ReplicaOptions.defaults("file").withSyncInterval(FAST)));
	}

	private Summary restore(String name) throws Exception {
		Path out = this.dir.resolve("restored-" + name + "-" + System.nanoTime() + ".db");
		new Restorer().restore(new FileReplicaClient(this.dir.resolve("replicas/" + name)), RestoreOptions.latest(out));
		return AppDatabase.summarize(out);
	}

	private void awaitCaughtUp(ReplicatedDatabase database) {
		awaitCaughtUp(this.running.engine(), database);
	}

	private static void awaitCaughtUp(Litestream engine, ReplicatedDatabase database) {
		await().atMost(Duration.ofMinutes(1)).until(() -> {
			Optional<Pos> committed = engine.commitPosition(database);
			return committed.isPresent()
					&& engine.replicas(database).stream().allMatch((r) -> r.position().equals(committed));
		});
	}

	private static void deleteLocalFiles(Path path) throws IOException {
		String name = path.getFileName().toString();
		for (String suffix : new String[] { "", "-wal", "-shm" }) {
			Files.deleteIfExists(path.resolveSibling(name + suffix));
		}
		Path state = path.resolveSibling("." + name + "-litestream");
		if (Files.exists(state)) {
			try (Stream<Path> files = Files.walk(state)) {
				files.sorted(java.util.Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
			}
		}
	}

}
