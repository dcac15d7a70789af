package io.github.litestream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * A tenant whose removal waits for its store (a slow deletion of its backups, a last upload)
 * holds up that tenant only: other tenants are registered meanwhile, and the same tenant is
 * refused, with an error that says why, until its removal has returned.
 */
class ConcurrentTenantRemovalTests {

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	private Path tenants;

	@RegisterExtension
	final RunningEngine running = new RunningEngine(() -> Executors.newFixedThreadPool(3));

	/** Counted down when tenant {@code a.db}'s store begins a deletion, which then waits. */
	private final CountDownLatch deleting = new CountDownLatch(1);

	private final CountDownLatch release = new CountDownLatch(1);

	@BeforeEach
	void start() throws Exception {
		this.tenants = Files.createDirectories(this.dir.resolve("tenants"));
	}

	@AfterEach
	void close() throws Exception {
		this.release.countDown();
	}

	@Test
	void deletingATenantWhoseStoreIsSlowDoesNotHoldUpAddingAnother() throws Exception {
		try (DirectoryReplication directory = new DirectoryReplication(this.running.registry(), this.tenants, "*.db",
				false, DatabaseOptions.defaults(this.tenants.resolve("template.db")).withMonitorInterval(FAST),
				this::targets)) {
			Path a = this.tenants.resolve("a.db");
			AppDatabase app = app(a);
			app.insert(3);
			this.running.awaitCaughtUp(directory.add(a));
			app.close();
			Future<?> delete = this.running.caller().submit(() -> {
				directory.delete(a, Duration.ofSeconds(30), Backups.DELETE);
				return null;
			});
			try {
				assertThat(this.deleting.await(1, TimeUnit.MINUTES)).isTrue();
				Path b = this.tenants.resolve("b.db");
				app(b).insert(2);
				Future<ReplicatedDatabase> add = this.running.caller().submit(() -> directory.add(b));
				await().atMost(Duration.ofSeconds(30)).until(add::isDone);
				assertThat(add.get().path()).isEqualTo(b.toAbsolutePath());
				assertThatIllegalStateException().isThrownBy(() -> directory.add(a))
					.withMessageContaining("a.db of " + this.tenants)
					.withMessageContaining("add it again once the delete has returned");
				assertThatIllegalStateException()
					.isThrownBy(() -> this.running.registry().register(options(a), targets("a.db")))
					.withMessageContaining(a + " is still being unregistered");
				assertThat(delete).isNotDone();
			}
			finally {
				// Before the directory closes, which waits for a delete that holds its lock.
				this.release.countDown();
			}
			delete.get(1, TimeUnit.MINUTES);
			assertThat(a).doesNotExist();
			assertThat(new FileReplicaClient(replica("a.db")).generations()).isEmpty();
			assertThat(directory.add(a).path()).isEqualTo(a.toAbsolutePath());
			assertThat(directory.databases()).containsExactly("a.db", "b.db");
		}
	}

	@Test
	void unregisteringATenantWhoseStoreIsSlowDoesNotHoldUpRegisteringAnother() throws Exception {
		Path a = this.tenants.resolve("a.db");
		AppDatabase app = app(a);
		app.insert(3);
		this.running.awaitCaughtUp(this.running.registry().register(options(a), targets("a.db")));
		app.close();
		Future<Boolean> unregister = this.running.caller()
			.submit(() -> this.running.registry().unregister(a, Duration.ofSeconds(30), Backups.DELETE));
		try {
			assertThat(this.deleting.await(1, TimeUnit.MINUTES)).isTrue();
			Path b = this.tenants.resolve("b.db");
			app(b).insert(2);
			Future<ReplicatedDatabase> register = this.running.caller()
				.submit(() -> this.running.registry().register(options(b), targets("b.db")));
			await().atMost(Duration.ofSeconds(30)).until(register::isDone);
			assertThat(register.get().path()).isEqualTo(b.toAbsolutePath());
			assertThat(this.running.registry().find(a)).isEmpty();
			assertThatIllegalStateException()
				.isThrownBy(() -> this.running.registry().register(options(a), targets("a.db")))
				.withMessageContaining(a + " is still being unregistered");
		}
		finally {
			this.release.countDown();
		}
		assertThat(unregister.get(1, TimeUnit.MINUTES)).isTrue();
		assertThat(this.running.registry().register(options(a), targets("a.db")).path()).isEqualTo(a.toAbsolutePath());
	}

	@Test
	void aScanStoppingATenantWhoseRemovalWaitsDoesNotHoldUpAddingAnother() throws Exception {
		CountDownLatch removing = new CountDownLatch(1);
		// What a removal may wait for: a snapshot still reading the file (up to 5 s), a callback.
		this.running.engine().onRemoved((database) -> {
			if (database.path().getFileName().toString().equals("a.db")) {
				removing.countDown();
				awaitQuietly(this.release);
			}
		});
		try (DirectoryReplication directory = new DirectoryReplication(this.running.registry(), this.tenants, "*.db",
				false, DatabaseOptions.defaults(this.tenants.resolve("template.db")).withMonitorInterval(FAST),
				this::targets)) {
			Path a = this.tenants.resolve("a.db");
			try (AppDatabase app = new AppDatabase(a)) {
				app.insert(3);
				directory.scan();
			}
			for (String suffix : new String[] { "", "-wal", "-shm" }) {
				Files.deleteIfExists(this.tenants.resolve("a.db" + suffix));
			}
			Future<?> scan = this.running.caller().submit(() -> {
				directory.scan();
				return null;
			});
			Future<ReplicatedDatabase> readded;
			try {
				assertThat(removing.await(1, TimeUnit.MINUTES)).isTrue();
				Path b = this.tenants.resolve("b.db");
				app(b).insert(2);
				Future<ReplicatedDatabase> add = this.running.caller().submit(() -> directory.add(b));
				await().atMost(Duration.ofSeconds(30)).until(add::isDone);
				assertThat(add.get().path()).isEqualTo(b.toAbsolutePath());
				assertThat(directory.databases()).containsExactly("b.db");
				assertThat(scan).isNotDone();
				// Created again meanwhile: added once the scan has stopped the old one, not refused.
				app(a).insert(1);
				readded = this.running.caller().submit(() -> directory.add(a));
			}
			finally {
				this.release.countDown();
			}
			scan.get(1, TimeUnit.MINUTES);
			assertThat(readded.get(1, TimeUnit.MINUTES).path()).isEqualTo(a.toAbsolutePath());
			assertThat(directory.databases()).containsExactly("a.db", "b.db");
		}
	}

	/** Tenant {@code a.db}'s store waits in its first deletion until released. */
	private List<ReplicationTarget> targets(String relative) {
		return List.of(new ReplicationTarget(new ForwardingReplicaClient(new FileReplicaClient(replica(relative))) {

			@Override
			public void deleteGeneration(String generation) throws IOException {
				if (relative.equals("a.db")) {
					ConcurrentTenantRemovalTests.this.deleting.countDown();
					try {
						ConcurrentTenantRemovalTests.this.release.await();
					}
					catch (InterruptedException ex) {
						throw new InterruptedIOException();
					}
				}
				super.deleteGeneration(generation);
			}

		}, ReplicaOptions.defaults("file").withSyncInterval(FAST)));
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private Path replica(String relative) {
		return this.dir.resolve("replica").resolve(relative);
	}

	private DatabaseOptions options(Path path) {
		return DatabaseOptions.defaults(path).withMonitorInterval(FAST);
	}

	private AppDatabase app(Path path) throws Exception {
		return this.running.app(path);
	}

}
