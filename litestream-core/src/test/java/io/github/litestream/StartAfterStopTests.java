package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.StoredLeases.storedLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * An engine stopped while a replica step still uploads (its flush timed out), started again,
 * and closed (or stopped) while that start waits for a store: the start is given up, and the
 * leases are dealt with as without that start: kept after a stop, left to expire by the close,
 * never released while the stopped run's upload may still land. Real SQLite, real file replicas, a real engine; the upload and the
 * lease write are held on latches.
 */
class StartAfterStopTests {

	private static final Duration FAST = Duration.ofMillis(50);

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	private static final String STARTING = "test-start-again";

	@TempDir
	Path dir;

	private final Litestream engine = new Litestream();

	private final ExecutorService caller = Executors.newCachedThreadPool();

	private final ExecutorService starter = Executors.newSingleThreadExecutor((task) -> new Thread(task, STARTING));

	private HeldStore store;

	private AppDatabase app;

	@AfterEach
	void close() throws Exception {
		if (this.store != null) {
			this.store.releaseAll();
		}
		this.caller.shutdownNow();
		this.starter.shutdownNow();
		this.engine.stop(Duration.ofSeconds(30));
		this.engine.close();
		if (this.app != null) {
			this.app.close();
		}
	}

	@Test
	void aCloseDuringAStartAfterAStopLeavesTheLeaseToExpireWhileTheStoppedRunsUploadMayLand() throws Exception {
		Future<?> started = stoppedWithAnUploadHeldThenStalledStartingAgain();
		Future<?> closing = this.caller.submit(() -> {
			this.engine.close();
			return null;
		});
		await().atMost(Duration.ofSeconds(10)).until(closing::isDone);
		closing.get();

		this.store.proceed();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> started.get(1, TimeUnit.MINUTES))
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("was closed while it started");
		assertThat(storedLease(replica()).released()).as("released while the stopped run's upload may still land")
			.isFalse();
	}

	@Test
	void aStopDuringAStartAfterAStopLeavesTheEngineAsTheFirstStopDidForItsClose() throws Exception {
		Future<?> started = stoppedWithAnUploadHeldThenStalledStartingAgain();
		Future<Boolean> stopping = this.caller.submit(() -> this.engine.stop(Duration.ofSeconds(30)));
		await().atMost(Duration.ofSeconds(10)).until(stopping::isDone);

		this.store.proceed();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> started.get(1, TimeUnit.MINUTES))
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("was stopped while it started");
		assertThat(storedLease(replica()).released()).as("released while the stopped run's upload may still land")
			.isFalse();
		ReplicatedDatabase database = this.engine.databases().get(0);
		assertThat(this.engine.lease(this.engine.replicas(database).get(0)).orElseThrow().role())
			.as("still held, for the close to give up").isEqualTo(LeaseRole.PRIMARY);
		this.engine.close();
		assertThat(storedLease(replica()).released()).as("released by the close while the upload may still land")
			.isFalse();
	}

	/**
	 * Starts the engine with two leased databases, holds a WAL upload of the first one, stops the
	 * engine while it still runs, and starts it again on another thread, stalled taking that
	 * database's lease: the second one's is taken after it.
	 */
	private Future<?> stoppedWithAnUploadHeldThenStalledStartingAgain() throws Exception {
		Path file = this.dir.resolve("a.db");
		this.app = new AppDatabase(file);
		this.app.insert(2);
		this.store = new HeldStore(new FileReplicaClient(replica()));
		ReplicatedDatabase database = this.engine.addDatabase(DatabaseOptions.defaults(file).withMonitorInterval(FAST),
				LEASE, List.of(new ReplicationTarget(this.store, ReplicaOptions.defaults("file").withSyncInterval(FAST))));
		Path other = this.dir.resolve("b.db");
		AppDatabase otherApp = new AppDatabase(other);
		otherApp.insert(1);
		otherApp.close();
		this.engine.addDatabase(DatabaseOptions.defaults(other), LEASE, List.of(new ReplicationTarget(
				new FileReplicaClient(this.dir.resolve("replicas").resolve("b")), ReplicaOptions.defaults("file"))));
		this.engine.start();
		Replica replica = this.engine.replicas(database).get(0);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> replica.position().equals(this.engine.commitPosition(database)));

		this.store.holdWal();
		this.app.insert(3);
		assertThat(this.store.awaitWalHeld()).isTrue();
		assertThat(this.engine.stop(Duration.ofMillis(100))).as("the held upload still runs").isFalse();
		Future<?> started = this.starter.submit(() -> {
			this.engine.start();
			return null;
		});
		assertThat(this.store.awaitStalled()).isTrue();
		return started;
	}

	private Path replica() {
		return this.dir.resolve("replicas").resolve("a");
	}

	/**
	 * A file replica whose WAL uploads, once held, stop inside the write until released, and
	 * whose lease writes made by the start again stall until it proceeds (renewals go through).
	 */
	private static final class HeldStore extends StalledLeaseStore {

		private volatile boolean holdingWal;

		private final CountDownLatch walHeld = new CountDownLatch(1);

		private final CountDownLatch walRelease = new CountDownLatch(1);

		HeldStore(FileReplicaClient client) {
			// Only the start again takes the lease slowly.
			super(client, (thread) -> thread.getName().equals(STARTING));
		}

		void holdWal() {
			this.holdingWal = true;
		}

		boolean awaitWalHeld() throws InterruptedException {
			return this.walHeld.await(1, TimeUnit.MINUTES);
		}

		void releaseAll() {
			this.holdingWal = false;
			this.walRelease.countDown();
			proceed();
		}

		@Override
		public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
			if (this.holdingWal) {
				this.walHeld.countDown();
				await(this.walRelease);
			}
			return super.writeWalSegment(pos, lz4);
		}

		private static void await(CountDownLatch latch) throws IOException {
			try {
				if (!latch.await(1, TimeUnit.MINUTES)) {
					throw new IOException("The test did not let the store go on");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while the store was held");
			}
		}

	}

}
