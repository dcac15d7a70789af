package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Directory mode (Litestream v0.5's {@code dir}, {@code pattern}, {@code recursive}): every
 * matching database of a directory is replicated under its relative path, new ones are picked
 * up, removed ones stop, and the replica lists what it holds for a restore of the directory.
 */
class DirectoryReplicationTests {

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	private Path tenants;

	private Path replica;

	@RegisterExtension
	final RunningEngine running = new RunningEngine();

	@BeforeEach
	void start() throws Exception {
		this.tenants = Files.createDirectories(this.dir.resolve("tenants"));
		this.replica = this.dir.resolve("replica");
	}

	@Test
	void everyMatchingDatabaseIsReplicatedUnderItsRelativePath() throws Exception {
		AppDatabase a = app("a.db");
		AppDatabase b = app("b.db");
		AppDatabase nested = app("eu/c.db");
		app("other.sqlite");
		Files.writeString(this.tenants.resolve("notes.txt"), "not a database");
		try (Litestream notStarted = new Litestream();
				DirectoryReplication directory = directory(new DatabaseRegistry(notStarted), false)) {
			directory.scan();
			assertThat(directory.databases()).containsExactly("a.db", "b.db");
		}
		try (DirectoryReplication directory = directory(true)) {
			directory.scan();
			assertThat(directory.databases()).containsExactly("a.db", "b.db", "eu/c.db");
			a.insert(10);
			b.insert(20);
			nested.insert(30);
			awaitCaughtUp();
			assertThat(restore("a.db")).isEqualTo(a.summary());
			assertThat(restore("b.db")).isEqualTo(b.summary());
			assertThat(restore("eu/c.db")).isEqualTo(nested.summary());
		}
		assertThat(new FileReplicaClient(this.replica).databasesBelow(true)).containsExactly("a.db", "b.db", "eu/c.db");
		assertThat(new FileReplicaClient(this.replica).databasesBelow(false)).containsExactly("a.db", "b.db");
	}

	@Test
	void aTenantSubdirectoryNamedGenerationsIsListedForARestore() throws Exception {
		AppDatabase a = app("generations/acme.db");
		a.insert(3);
		try (DirectoryReplication directory = directory(true)) {
			directory.scan();
			awaitCaughtUp();
		}
		// The layout's own name, one level down: what restore-on-boot lists must still find it.
		assertThat(new FileReplicaClient(this.replica).databasesBelow(true)).containsExactly("generations/acme.db");
		assertThat(new FileReplicaClient(this.replica).databasesBelow(false)).isEmpty();
		assertThat(restore("generations/acme.db")).isEqualTo(a.summary());
	}

	@Test
	void newFilesArePickedUpAndRemovedOnesStop() throws Exception {
		try (DirectoryReplication directory = directory(false)) {
			directory.start();
			assertThat(directory.databases()).isEmpty();
			AppDatabase created = app("new.db");
			created.insert(5);
			await().atMost(Duration.ofMinutes(1)).until(() -> directory.databases().contains("new.db"));
			awaitCaughtUp();
			assertThat(restore("new.db")).isEqualTo(created.summary());
			created.close();
			Files.delete(this.tenants.resolve("new.db"));
			Files.deleteIfExists(this.tenants.resolve("new.db-wal"));
			Files.deleteIfExists(this.tenants.resolve("new.db-shm"));
			await().atMost(Duration.ofMinutes(1)).until(() -> directory.databases().isEmpty());
			assertThat(this.running.registry().find(this.tenants.resolve("new.db"))).isEmpty();
			assertThat(new FileReplicaClient(this.replica.resolve("new.db")).generations()).isNotEmpty();
		}
	}

	@Test
	void aTenantDeletedAndCreatedAgainBetweenTwoScansIsReplicatedAnew() throws Exception {
		try (DirectoryReplication directory = directory(false)) {
			AppDatabase first = app("t.db");
			first.insert(5);
			directory.scan();
			awaitCaughtUp();
			first.close();
			for (String suffix : new String[] { "-wal", "-shm", "" }) {
				Files.deleteIfExists(this.tenants.resolve("t.db" + suffix));
			}
			AppDatabase second = app("t.db");
			second.execute("CREATE TABLE other (x)");
			second.insert(3);
			ReplicatedDatabase old = this.running.registry().find(this.tenants.resolve("t.db")).orElseThrow();
			assertThat(old.fileReplaced()).isTrue();

			directory.scan();

			ReplicatedDatabase renewed = this.running.registry().find(this.tenants.resolve("t.db")).orElseThrow();
			assertThat(renewed).isNotSameAs(old);
			assertThat(renewed.fileReplaced()).isFalse();
			second.insert(2);
			awaitCaughtUp();
			assertThat(restore("t.db")).isEqualTo(second.summary());
		}
	}

	@Test
	void aMatchingFileThatIsNotADatabaseIsPassedOver() throws Exception {
		Files.writeString(this.tenants.resolve("broken.db"), "this is not a SQLite database, just text");
		AppDatabase good = app("good.db");
		try (DirectoryReplication directory = directory(false)) {
			directory.scan();
			directory.scan();
			assertThat(directory.databases()).containsExactly("good.db");
			good.insert(3);
			awaitCaughtUp();
			assertThat(restore("good.db")).isEqualTo(good.summary());
		}
	}

	@Test
	void sqliteOwnFilesBesideADatabaseAreNoTenantsWhateverThePattern() throws Exception {
		AppDatabase tenant = app("tenant-a");
		tenant.insert(3);
		app("tenant-b-journal").insert(1);
		assertThat(this.tenants.resolve("tenant-a-wal")).exists();
		assertThat(this.tenants.resolve("tenant-a-shm")).exists();
		try (DirectoryReplication directory = directory(this.running.registry(), "tenant-*", false)) {
			directory.scan();
			directory.scan();
			assertThat(directory.databases()).as("tenant-b-journal has no tenant-b: a database of its own")
				.containsExactly("tenant-a", "tenant-b-journal");
			org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
				.isThrownBy(() -> directory.add(this.tenants.resolve("tenant-a-wal")))
				.withMessageContaining("is not a database of");
		}
	}

	@Test
	void databasesInHiddenDirectoriesArePassedOver() throws Exception {
		// Where the endpoint's restored side files go (.litestream-restored): not new tenants.
		AppDatabase good = app("good.db");
		app(".litestream-restored/good-restored-20261130T000000000Z.db");
		try (DirectoryReplication directory = directory(true)) {
			directory.scan();
			assertThat(directory.databases()).containsExactly("good.db");
			good.insert(3);
			awaitCaughtUp();
		}
	}

	@Test
	void addRestoresAMissingDatabaseAtOnceAndDeleteRemovesItsFilesAndBackups() throws Exception {
		try (DirectoryReplication directory = directory(false)) {
			AppDatabase tenant = app("tenant.db");
			tenant.insert(12);
			directory.add(this.tenants.resolve("tenant.db"));
			awaitCaughtUp();
			AppDatabase.Summary replicated = tenant.summary();
			tenant.close();
			directory.delete(this.tenants.resolve("tenant.db"), Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP);
			assertThat(this.tenants.resolve("tenant.db")).doesNotExist();
			assertThat(this.tenants.resolve(".tenant.db-litestream")).doesNotExist();
			directory.add(this.tenants.resolve("tenant.db"));
			assertThat(AppDatabase.summarize(this.tenants.resolve("tenant.db"))).isEqualTo(replicated);
			directory.delete(this.tenants.resolve("tenant.db"), Duration.ofSeconds(30), DatabaseRegistry.Backups.DELETE);
			assertThat(new FileReplicaClient(this.replica.resolve("tenant.db")).generations()).isEmpty();
			assertThat(directory.databases()).isEmpty();
			org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
				.isThrownBy(() -> directory.add(this.tenants.resolve("notes.txt")))
				.withMessageContaining("is not a database of " + this.tenants);
		}
	}

	@Test
	void aDeleteWhoseBackupDeletionFailedLeavesTheTenantReplicatedAndARetryDeletesItsBackups() throws Exception {
		AtomicBoolean refuse = new AtomicBoolean(true);
		try (DirectoryReplication directory = new DirectoryReplication(this.running.registry(), this.tenants, "*.db",
				false, DatabaseOptions.defaults(this.tenants.resolve("template.db")).withMonitorInterval(FAST),
				(relative) -> List.of(new ReplicationTarget(new ForwardingReplicaClient(
						new FileReplicaClient(this.replica.resolve(relative))) {

					@Override
					public void deleteGeneration(String generation) throws IOException {
						if (refuse.getAndSet(false)) {
							throw new IOException("the store refused the deletion");
						}
						super.deleteGeneration(generation);
					}

				}, ReplicaOptions.defaults("file").withSyncInterval(FAST))))) {
			AppDatabase tenant = app("acme.db");
			tenant.insert(5);
			directory.add(this.tenants.resolve("acme.db"));
			awaitCaughtUp();
			tenant.close();
			FileReplicaClient backups = new FileReplicaClient(this.replica.resolve("acme.db"));
			org.assertj.core.api.Assertions.assertThatIOException()
				.isThrownBy(() -> directory.delete(this.tenants.resolve("acme.db"), Duration.ofSeconds(30),
						DatabaseRegistry.Backups.DELETE))
				.withMessageContaining("refused the deletion");
			// Nothing local was deleted, and the file is not left unreplicated: the scan takes it up again.
			assertThat(this.tenants.resolve("acme.db")).exists();
			directory.scan();
			assertThat(directory.databases()).containsExactly("acme.db");
			directory.delete(this.tenants.resolve("acme.db"), Duration.ofSeconds(30), DatabaseRegistry.Backups.DELETE);
			assertThat(backups.generations()).isEmpty();
			assertThat(this.tenants.resolve("acme.db")).doesNotExist();
			assertThat(directory.databases()).isEmpty();
		}
	}

	@Test
	void aDeleteOfATenantNoLongerReplicatedStillDeletesItsBackups() throws Exception {
		try (DirectoryReplication directory = directory(false)) {
			AppDatabase tenant = app("acme.db");
			tenant.insert(5);
			directory.add(this.tenants.resolve("acme.db"));
			awaitCaughtUp();
			tenant.close();
			directory.delete(this.tenants.resolve("acme.db"), Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP);
			FileReplicaClient backups = new FileReplicaClient(this.replica.resolve("acme.db"));
			assertThat(backups.generations()).isNotEmpty();
			directory.delete(this.tenants.resolve("acme.db"), Duration.ofSeconds(30), DatabaseRegistry.Backups.DELETE);
			assertThat(backups.generations()).isEmpty();
		}
	}

	@Test
	void aRegisteredTenantIsReturnedWhileAnotherOneRestores() throws Exception {
		CountDownLatch restoring = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean stall = new AtomicBoolean();
		ExecutorService caller = Executors.newFixedThreadPool(2);
		try (DirectoryReplication directory = new DirectoryReplication(this.running.registry(), this.tenants, "*.db",
				false, DatabaseOptions.defaults(this.tenants.resolve("template.db")).withMonitorInterval(FAST),
				(relative) -> List.of(new ReplicationTarget(new ForwardingReplicaClient(
						new FileReplicaClient(this.replica.resolve(relative))) {

					@Override
					public List<String> generations() throws IOException {
						if (stall.get() && relative.equals("slow.db")) {
							restoring.countDown();
							try {
								release.await();
							}
							catch (InterruptedException ex) {
								throw new java.io.InterruptedIOException();
							}
						}
						return super.generations();
					}

				}, ReplicaOptions.defaults("file").withSyncInterval(FAST))))) {
			AppDatabase slow = app("slow.db");
			slow.insert(4);
			directory.add(this.tenants.resolve("slow.db"));
			awaitCaughtUp();
			slow.close();
			directory.delete(this.tenants.resolve("slow.db"), Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP);
			AppDatabase ready = app("ready.db");
			ReplicatedDatabase registered = directory.add(this.tenants.resolve("ready.db"));
			stall.set(true);
			try {
				Future<ReplicatedDatabase> restore = caller
					.submit(() -> directory.add(this.tenants.resolve("slow.db")));
				assertThat(restoring.await(30, TimeUnit.SECONDS)).isTrue();
				Future<ReplicatedDatabase> again = caller.submit(() -> directory.add(this.tenants.resolve("ready.db")));
				await().atMost(Duration.ofSeconds(30)).until(again::isDone);
				assertThat(again.get()).isSameAs(registered);
				assertThat(restore).as("the other tenant still restores").isNotDone();
				release.countDown();
				assertThat(restore.get(30, TimeUnit.SECONDS).path())
					.isEqualTo(this.tenants.resolve("slow.db").toAbsolutePath());
				ready.insert(1);
			}
			finally {
				release.countDown();
			}
		}
		finally {
			caller.shutdownNow();
		}
	}

	private DirectoryReplication directory(boolean recursive) {
		return directory(this.running.registry(), recursive);
	}

	private DirectoryReplication directory(DatabaseRegistry registry, boolean recursive) {
		return directory(registry, "*.db", recursive);
	}

	private DirectoryReplication directory(DatabaseRegistry registry, String pattern, boolean recursive) {
		return new DirectoryReplication(registry, this.tenants, pattern, recursive,
				DatabaseOptions.defaults(this.tenants.resolve("template.db")).withMonitorInterval(FAST),
				(relative) -> List.of(new ReplicationTarget(new FileReplicaClient(this.replica.resolve(relative)),
						ReplicaOptions.defaults("file").withSyncInterval(FAST))));
	}

	private AppDatabase app(String relative) throws Exception {
		Path path = this.tenants.resolve(relative);
		Files.createDirectories(path.getParent());
		return this.running.app(path);
	}

	private AppDatabase.Summary restore(String relative) throws Exception {
		Path out = this.dir.resolve("restored/" + relative);
		Files.createDirectories(out.getParent());
		new Restorer().restore(new FileReplicaClient(this.replica.resolve(relative)), RestoreOptions.latest(out));
		return AppDatabase.summarize(out);
	}

	private void awaitCaughtUp() {
		await().atMost(Duration.ofMinutes(1)).until(() -> {
			for (ReplicatedDatabase database : this.running.engine().databases()) {
				if (!caughtUp(database)) {
					return false;
				}
			}
			return true;
		});
	}

	private boolean caughtUp(ReplicatedDatabase database) throws IOException {
		Optional<Pos> committed = this.running.engine().commitPosition(database);
		return committed.isPresent()
				&& this.running.engine().replicas(database).stream().allMatch((r) -> r.position().equals(committed));
	}

}
