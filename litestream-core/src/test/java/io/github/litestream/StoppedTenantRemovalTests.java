package io.github.litestream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A tenant's removal with its backups deleted that is still under way when the engine's close
 * stops waiting for it (a stalled store) goes on without lease renewals: deleting on until its
 * lease lapsed, it was fenced halfway, and which generations were left depended on their names,
 * so that a later restore could bring back an older state of the tenant without a word. It now
 * deletes the newest backup last and stops before its next generation once the close gave up,
 * with an error that names the tenant and what each replica still holds: whole generations,
 * the newest among them, which a restore reads as the tenant's last state.
 */
class StoppedTenantRemovalTests {

	private static final Duration FAST = Duration.ofMillis(50);

	/** Sorts after any generation the engine names: deleted last if generations went by name. */
	private static final String OLDER = "ffffffffffffffff";

	@TempDir
	Path dir;

	@RegisterExtension
	final RunningEngine running = new RunningEngine();

	private final CountDownLatch deleting = new CountDownLatch(1);

	private final CountDownLatch release = new CountDownLatch(1);

	private volatile boolean stallDeletes;

	@AfterEach
	void releaseStore() {
		this.release.countDown();
	}

	@Test
	void aRemovalTheCloseGaveUpOnStopsBetweenGenerationsLeavingTheNewestBackupWhole() throws Exception {
		Path a = this.dir.resolve("a.db");
		Path replica = this.dir.resolve("replica");
		AppDatabase.Summary last;
		String newest;
		try (AppDatabase app = new AppDatabase(a)) {
			ReplicatedDatabase database = this.running.registry()
				.register(DatabaseOptions.defaults(a).withMonitorInterval(FAST),
						new LeaseOptions(true, Duration.ofSeconds(6)), List.of(stalling(replica)));
			app.insert(5);
			this.running.awaitCaughtUp(database);
			newest = new FileReplicaClient(replica).generations().get(0);
			// An older generation of the tenant (an earlier incarnation), an hour old.
			copyGeneration(replica, newest, OLDER, Instant.now().minus(Duration.ofHours(1)));
			app.insert(3);
			this.running.awaitCaughtUp(database);
			last = app.summary();
		}
		this.running.engine().lifecycle().removals().waitAtClose(Duration.ZERO);
		this.stallDeletes = true;
		Future<Boolean> unregister = this.running.caller()
			.submit(() -> this.running.registry().unregister(a, Duration.ofSeconds(30), Backups.DELETE));
		assertThat(this.deleting.await(1, TimeUnit.MINUTES)).isTrue();
		this.running.closedByTest();
		CompletableFuture.runAsync(this.running.engine()::close).get(1, TimeUnit.MINUTES);
		this.release.countDown();
		Throwable failure = catchThrowable(() -> unregister.get(1, TimeUnit.MINUTES));
		assertThat(failure).as("the removal stopped, saying so").isInstanceOf(ExecutionException.class);
		assertThat(failure.getCause()).isInstanceOf(IOException.class)
			.hasMessageContaining("The removal of " + a)
			.hasMessageContaining("replica 'first' (" + replica)
			.hasMessageContaining("still holds generations [" + newest + "]");
		assertThat(new FileReplicaClient(replica).generations()).as("left whole: the newest backup")
			.containsExactly(newest);
		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(restored));
		assertThat(AppDatabase.summarize(restored)).isEqualTo(last);
	}

	/** A file replica whose first generation deletion, once deletes stall, waits for the test. */
	private ReplicationTarget stalling(Path root) {
		return new ReplicationTarget(new ForwardingReplicaClient(new FileReplicaClient(root)) {

			@Override
			public void deleteGeneration(String generation) throws IOException {
				if (StoppedTenantRemovalTests.this.stallDeletes && StoppedTenantRemovalTests.this.deleting.getCount() > 0) {
					StoppedTenantRemovalTests.this.deleting.countDown();
					try {
						StoppedTenantRemovalTests.this.release.await();
					}
					catch (InterruptedException ex) {
						throw new InterruptedIOException();
					}
				}
				super.deleteGeneration(generation);
			}

		}, ReplicaOptions.defaults("first").withSyncInterval(FAST));
	}

	private static void copyGeneration(Path replica, String from, String to, Instant at) throws IOException {
		Path source = replica.resolve("generations").resolve(from);
		Path target = replica.resolve("generations").resolve(to);
		try (Stream<Path> tree = Files.walk(source)) {
			for (Path path : tree.toList()) {
				Path copy = target.resolve(source.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(copy);
				}
				else {
					Files.copy(path, copy);
					Files.setLastModifiedTime(copy, FileTime.from(at));
				}
			}
		}
	}

}
