package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.ConditionalObjects.VersionedObject;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An engine closed (the application shutting down) while a tenant's removal is under way lets
 * that removal finish first. Closing released the tenant's leases and shut the engine's threads
 * down under it: a deletion of its backups was refused halfway, leaving a replica with some of
 * them deleted, and a last flush still queued was cancelled, failing the removal.
 */
class CloseDuringTenantRemovalTests {

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	@RegisterExtension
	final RunningEngine running = new RunningEngine(Executors::newSingleThreadExecutor);

	/** Counted down when replica {@code first} begins deleting a generation, which then waits. */
	private final CountDownLatch deleting = new CountDownLatch(1);

	private final CountDownLatch release = new CountDownLatch(1);

	private volatile boolean slowDeletes;

	/** Counted down when replica {@code first} begins a WAL upload, which then waits. */
	private final CountDownLatch uploading = new CountDownLatch(1);

	private volatile boolean slowUploads;

	@AfterEach
	void close() {
		this.release.countDown();
	}

	@Test
	void closingWhileATenantsBackupsAreDeletedLetsTheDeletionFinish() throws Exception {
		Path a = this.dir.resolve("a.db");
		try (AppDatabase app = new AppDatabase(a)) {
			ReplicatedDatabase database = this.running.registry()
				.register(DatabaseOptions.defaults(a).withMonitorInterval(FAST),
						new LeaseOptions(true, Duration.ofSeconds(6)), List.of(target("first"), target("second")));
			app.insert(5);
			this.running.awaitCaughtUp(database);
		}
		this.slowDeletes = true;
		Future<Boolean> unregister = this.running.caller()
			.submit(() -> this.running.registry().unregister(a, Duration.ofSeconds(30), Backups.DELETE));
		assertThat(this.deleting.await(1, TimeUnit.MINUTES)).isTrue();
		CompletableFuture<Void> closing = closeOnAnotherThread();
		this.release.countDown();
		assertThat(unregister.get(1, TimeUnit.MINUTES)).as("the removal deleted every backup").isTrue();
		closing.get(1, TimeUnit.MINUTES);
		for (String name : new String[] { "first", "second" }) {
			assertThat(new FileReplicaClient(replica(name)).generations()).as("generations left in " + name).isEmpty();
			assertThat(leaseRecord(name)).as("lease of " + name).contains("\"released\":true");
		}
	}

	@Test
	void closingWhileATenantsLastCommitsShipLetsThemShip() throws Exception {
		Path a = this.dir.resolve("a.db");
		AppDatabase.Summary last;
		try (AppDatabase app = new AppDatabase(a)) {
			ReplicatedDatabase database = this.running.registry()
				.register(DatabaseOptions.defaults(a).withMonitorInterval(FAST), List.of(target("first")));
			app.insert(5);
			this.running.awaitCaughtUp(database);
			this.slowUploads = true;
			app.insert(1);
			assertThat(this.uploading.await(1, TimeUnit.MINUTES)).isTrue();
			app.insert(2);
			last = app.summary();
		}
		// The removal's last flush queues behind the upload that waits.
		CompletableFuture<Boolean> unregister = new CompletableFuture<>();
		Thread remover = new Thread(() -> {
			try {
				unregister.complete(this.running.registry().unregister(a, Duration.ofSeconds(30), Backups.KEEP));
			}
			catch (IOException | RuntimeException ex) {
				unregister.completeExceptionally(ex);
			}
		}, "remover");
		remover.start();
		await().atMost(Duration.ofSeconds(30)).until(() -> waitsIn(remover, ReplicaFlush.class, "awaitFlush"));
		CompletableFuture<Void> closing = closeOnAnotherThread();
		this.release.countDown();
		assertThat(unregister.get(1, TimeUnit.MINUTES)).as("every commit shipped").isTrue();
		closing.get(1, TimeUnit.MINUTES);
		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(replica("first")), RestoreOptions.latest(restored));
		assertThat(AppDatabase.summarize(restored)).isEqualTo(last);
	}

	/** Closes the engine on a thread of its own; returns once it closed or waits for removals. */
	private CompletableFuture<Void> closeOnAnotherThread() {
		CompletableFuture<Void> closing = new CompletableFuture<>();
		Thread closer = new Thread(() -> {
			this.running.engine().close();
			closing.complete(null);
		}, "closer");
		this.running.closedByTest();
		closer.start();
		// Either it closed under the removal (the defect), or it waits for the removal.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> closing.isDone() || waitsIn(closer, Removals.class, "awaitAll"));
		return closing;
	}

	private static boolean waitsIn(Thread thread, Class<?> type, String method) {
		return Arrays.stream(thread.getStackTrace())
			.anyMatch((frame) -> frame.getClassName().equals(type.getName()) && frame.getMethodName().equals(method));
	}

	/**
	 * Replica {@code first} waits in its first generation deletion once deletes are slow, and in
	 * its first WAL upload once uploads are.
	 */
	private ReplicationTarget target(String name) {
		return new ReplicationTarget(new ForwardingReplicaClient(new FileReplicaClient(replica(name))) {

			@Override
			public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
				if (name.equals("first") && CloseDuringTenantRemovalTests.this.slowUploads
						&& CloseDuringTenantRemovalTests.this.uploading.getCount() > 0) {
					CloseDuringTenantRemovalTests.this.uploading.countDown();
					awaitRelease();
				}
				return super.writeWalSegment(pos, lz4);
			}

			@Override
			public void deleteGeneration(String generation) throws IOException {
				if (name.equals("first") && CloseDuringTenantRemovalTests.this.slowDeletes) {
					CloseDuringTenantRemovalTests.this.deleting.countDown();
					awaitRelease();
				}
				super.deleteGeneration(generation);
			}

		}, ReplicaOptions.defaults(name).withSyncInterval(FAST));
	}

	private void awaitRelease() throws InterruptedIOException {
		try {
			this.release.await();
		}
		catch (InterruptedException ex) {
			throw new InterruptedIOException();
		}
	}

	private String leaseRecord(String name) throws IOException {
		Optional<VersionedObject> read = new FileReplicaClient(replica(name)).conditionalObjects()
			.orElseThrow()
			.read("lease.json");
		return new String(read.orElseThrow().content(), StandardCharsets.UTF_8);
	}

	private Path replica(String name) {
		return this.dir.resolve("replicas").resolve(name);
	}

}
