package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseFencedException;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Registrations of a database whose file is missing, which restore it first: a second
 * registration of the same path while the first one restores is refused as being registered
 * (not with the restore's lock), and a registration whose restored file another instance's
 * lease fenced before the engine took it over leaves nothing registered. Real SQLite files,
 * real file replicas; the restore's download stalls on a latch.
 */
class MissingFileRegistrationTests {

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	private final Litestream engine = new Litestream();

	private final ExecutorService caller = Executors.newCachedThreadPool();

	private final CountDownLatch stalled = new CountDownLatch(1);

	private final CountDownLatch proceed = new CountDownLatch(1);

	@AfterEach
	void close() {
		this.proceed.countDown();
		this.caller.shutdownNow();
		this.engine.stop(Duration.ofSeconds(30));
		this.engine.close();
	}

	@Test
	void aSecondRegistrationOfAFileBeingRestoredIsRefusedAsBeingRegistered() throws Exception {
		this.engine.start();
		DatabaseRegistry registry = new DatabaseRegistry(this.engine);
		Path path = this.dir.resolve("tenant.db");
		AppDatabase.Summary backedUp;
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = registry.register(options(path), targets(replica()));
			app.insert(20);
			awaitCaughtUp(database);
			backedUp = app.summary();
		}
		assertThat(registry.unregister(path, Duration.ofSeconds(30), Backups.KEEP)).isTrue();
		TenantFiles.delete(path);
		Future<ReplicatedDatabase> first = this.caller
			.submit(() -> registry.register(options(path), targets(stallingDownloads(replica()))));
		assertThat(this.stalled.await(1, TimeUnit.MINUTES)).isTrue();
		Throwable second = catchThrowable(() -> registry.register(options(path), targets(replica())));
		assertThat(second).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining(path.toAbsolutePath() + " is being registered");
		this.proceed.countDown();
		ReplicatedDatabase restored = first.get(1, TimeUnit.MINUTES);
		assertThat(registry.find(path)).containsSame(restored);
		assertThat(AppDatabase.summarize(path)).isEqualTo(backedUp);
	}

	@Test
	void aRegistrationFencedBeforeTheEngineStartsLeavesNothingRegistered() throws Exception {
		Path path = this.dir.resolve("tenant.db");
		Path replica = replica();
		LeaseOptions lease = new LeaseOptions(true, Duration.ofMillis(900));
		AtomicInteger refusedRenewals = new AtomicInteger();
		// Another instance takes the lease while the file is restored: it may write past the restore.
		DatabaseRegistry registry = new DatabaseRegistry(this.engine, (file, targets) -> {
			// Counted from here: the store's probe at the acquisition was refused too.
			refusedRenewals.set(0);
			ConditionalObjects objects = new FileReplicaClient(replica).conditionalObjects().orElseThrow();
			ConditionalObjects.VersionedObject current = objects.read(ReplicaLease.OBJECT).orElseThrow();
			Instant now = Instant.now();
			objects.replace(ReplicaLease.OBJECT, new LeaseRecord(new LeaseHolder("other", "other-host", 7), 50, now,
					now.plus(lease.ttl()), lease.ttl(), false).toJson(), current.version());
			// The renewal refused next has fenced the lease once it returns (the hand-over waits for it).
			await().atMost(Duration.ofMinutes(1)).until(() -> refusedRenewals.get() > 0);
		});
		Throwable refused = catchThrowable(
				() -> registry.register(options(path), lease, targets(countingRefusals(replica, refusedRenewals))));
		assertThat(this.engine.databases()).as("nothing registered").isEmpty();
		assertThat(registry.find(path)).isEmpty();
		assertThat(refused).isInstanceOf(LeaseFencedException.class).hasMessageContaining("other-host");
		this.engine.start();
		assertThat(this.engine.databases()).isEmpty();
		assertThat(path).doesNotExist();
	}

	private Path replica() {
		return this.dir.resolve("replica");
	}

	private ReplicaClient stallingDownloads(Path replica) {
		return new ForwardingReplicaClient(new FileReplicaClient(replica)) {

			@Override
			public InputStream openSnapshot(String generation, long index) throws IOException {
				stall();
				return super.openSnapshot(generation, index);
			}

		};
	}

	private ReplicaClient countingRefusals(Path replica, AtomicInteger refusals) {
		return new ForwardingReplicaClient(new FileReplicaClient(replica)) {

			@Override
			public Optional<ConditionalObjects> conditionalObjects() {
				return super.conditionalObjects().map((objects) -> new ConditionalObjects() {

					@Override
					public Optional<VersionedObject> read(String name) throws IOException {
						return objects.read(name);
					}

					@Override
					public String create(String name, byte[] content) throws IOException {
						return objects.create(name, content);
					}

					@Override
					public String replace(String name, byte[] content, String version) throws IOException {
						try {
							return objects.replace(name, content, version);
						}
						catch (ConditionalWriteConflictException ex) {
							refusals.incrementAndGet();
							throw ex;
						}
					}

				});
			}

		};
	}

	private void stall() throws InterruptedIOException {
		this.stalled.countDown();
		try {
			this.proceed.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while the store stalled");
		}
	}

	private static DatabaseOptions options(Path path) {
		return DatabaseOptions.defaults(path).withMonitorInterval(FAST);
	}

	private static List<ReplicationTarget> targets(Path replica) {
		return targets(new FileReplicaClient(replica));
	}

	private static List<ReplicationTarget> targets(ReplicaClient client) {
		return List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(FAST)));
	}

	private void awaitCaughtUp(ReplicatedDatabase database) {
		await().atMost(Duration.ofMinutes(1)).until(() -> {
			Optional<Pos> committed = this.engine.commitPosition(database);
			return committed.isPresent()
					&& this.engine.replicas(database).stream().allMatch((r) -> r.position().equals(committed));
		});
	}

}
