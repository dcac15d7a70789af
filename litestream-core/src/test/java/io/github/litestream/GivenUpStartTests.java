package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.GenerationContinuation;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.EngineResources.leaseThreads;
import static io.github.litestream.StoredLeases.storedLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What an engine's start stalled on one store request (a lease write) leaves to the databases
 * that came and went meanwhile, and to a close that gives it up: a database unregistered
 * meanwhile is not checked with the clients its removal closed (its continuation record stays,
 * and its next registration continues its generation); a close after a stop visits only the
 * databases the stopped run opened; and the leases the start took are no longer renewed once a
 * close gave it up, so that they expire however long the store takes. Real SQLite files, real
 * file replicas, a real engine; the lease write is held on a latch.
 */
class GivenUpStartTests {

	private static final Duration FAST = Duration.ofMillis(50);

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	private static final String STARTING = "test-start";

	@TempDir
	Path dir;

	private final Litestream engine = new Litestream();

	private final DatabaseRegistry registry = new DatabaseRegistry(this.engine);

	private final List<AppDatabase> apps = new ArrayList<>();

	private final List<Runnable> releases = new ArrayList<>();

	private final ExecutorService starter = Executors.newSingleThreadExecutor((task) -> new Thread(task, STARTING));

	@AfterEach
	void close() throws Exception {
		this.releases.forEach(Runnable::run);
		this.starter.shutdownNow();
		this.engine.stop(Duration.ofSeconds(30));
		this.engine.close();
		for (AppDatabase app : this.apps) {
			app.close();
		}
	}

	@Test
	void aDatabaseUnregisteredWhileTheStartTookLeasesIsNotCheckedWithItsClosedClients() throws Exception {
		Path b = this.dir.resolve("b.db");
		String generation = replicatedAndClosedCleanly(b);
		Path a = app("a");
		StalledLeaseStore store = new StalledLeaseStore(new FileReplicaClient(replica("a")));
		this.releases.add(store::proceed);
		this.engine.addDatabase(options(a), LEASE, target(store));
		ClosedRefusing closing = new ClosedRefusing(new FileReplicaClient(replica("b")));
		this.registry.register(options(b), target(closing));
		Future<?> started = this.starter.submit(() -> {
			this.engine.start();
			return null;
		});
		assertThat(store.awaitStalled()).isTrue();

		this.registry.unregister(b, Duration.ofSeconds(30), Backups.KEEP);
		assertThat(closing.closed).isTrue();
		store.proceed();
		started.get(1, TimeUnit.MINUTES);
		assertThat(closing.listedAfterClose).as("listings through the closed client").hasValue(0);
		assertThat(GenerationContinuation.recorded(b)).as("the clean-shutdown record").isPresent();

		ReplicatedDatabase again = this.registry.register(options(b), target(new FileReplicaClient(replica("b"))));
		assertThat(again.position().map(Pos::generation)).as("continued, no new snapshot").contains(generation);
	}

	@Test
	void aCloseGivingUpAStartAfterAStopVisitsOnlyTheDatabasesTheStoppedRunOpened() throws Exception {
		Path a = app("a");
		// Only the start again takes the lease slowly.
		StalledLeaseStore store = new StalledLeaseStore(new FileReplicaClient(replica("a")),
				(thread) -> thread.getName().equals(STARTING));
		this.releases.add(store::proceed);
		ReplicatedDatabase database = this.engine.addDatabase(options(a), LEASE, target(store));
		this.engine.start();
		Replica replica = this.engine.replicas(database).get(0);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> replica.position().equals(this.engine.commitPosition(database)));
		assertThat(this.engine.stop(Duration.ofSeconds(30))).isTrue();
		Future<?> started = this.starter.submit(() -> {
			this.engine.start();
			return null;
		});
		assertThat(store.awaitStalled()).isTrue();

		// Registered during the start, to be opened by it: never opened, as the start is given up.
		Path c = app("c");
		ReplicatedDatabase registered = this.registry.register(options(c), target(new FileReplicaClient(replica("c"))));
		List<Exception> syncErrors = new CopyOnWriteArrayList<>();
		registered.addListener(new DatabaseListener() {

			@Override
			public void onSyncError(Exception error) {
				syncErrors.add(error);
			}

		});
		this.engine.close();
		assertThat(syncErrors).as("WAL copies of a database that was never opened").isEmpty();

		store.proceed();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> started.get(1, TimeUnit.MINUTES))
			.havingCause()
			.withMessageContaining("was closed while it started");
	}

	@Test
	void aCloseGivingUpAStartStalledOnALeaseStopsRenewingTheLeasesItTook() throws Exception {
		Path a = app("a");
		Path b = app("b");
		this.engine.addDatabase(options(a), LEASE, target(new FileReplicaClient(replica("a"))));
		StalledLeaseStore store = new StalledLeaseStore(new FileReplicaClient(replica("b")));
		this.releases.add(store::proceed);
		this.engine.addDatabase(options(b), LEASE, target(store));
		Set<Thread> leaseThreads = leaseThreads();
		Future<?> started = this.starter.submit(() -> {
			this.engine.start();
			return null;
		});
		assertThat(store.awaitStalled()).isTrue();
		Instant taken = storedLease(replica("a")).expiresAt();
		await().atMost(Duration.ofSeconds(30)).until(() -> storedLease(replica("a")).expiresAt().isAfter(taken));

		this.engine.close();
		// Renewed until the stalled store answers, it would never expire while that store hangs.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> storedLease(replica("a")).expiresAt().isBefore(Instant.now()));
		assertThat(leaseThreads()).as("lease renewal threads left running").allMatch(leaseThreads::contains);

		store.proceed();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> started.get(1, TimeUnit.MINUTES))
			.havingCause()
			.withMessageContaining("was closed while it started");
	}

	/**
	 * Replicates a new database with an engine of its own, and closes it after its application:
	 * the clean-shutdown record lets the next registration continue the generation.
	 * @return the generation
	 */
	private String replicatedAndClosedCleanly(Path file) throws Exception {
		AppDatabase app = new AppDatabase(file);
		app.insert(5);
		try (Litestream first = new Litestream()) {
			ReplicatedDatabase database = first.addDatabase(options(file),
					target(new FileReplicaClient(replica("b"))));
			first.start();
			Replica replica = first.replicas(database).get(0);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> replica.position().equals(first.commitPosition(database)));
			assertThat(first.stop(Duration.ofSeconds(30))).isTrue();
			app.close();
			String generation = database.position().orElseThrow().generation();
			first.close();
			assertThat(GenerationContinuation.recorded(file)).isPresent();
			return generation;
		}
	}

	private Path app(String name) throws Exception {
		Path path = this.dir.resolve(name + ".db");
		AppDatabase app = new AppDatabase(path);
		app.insert(2);
		this.apps.add(app);
		return path;
	}

	private Path replica(String name) {
		return this.dir.resolve("replicas").resolve(name);
	}

	private static List<ReplicationTarget> target(ReplicaClient client) {
		return List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(FAST)));
	}

	private static DatabaseOptions options(Path path) {
		return DatabaseOptions.defaults(path).withMonitorInterval(FAST);
	}

	/** A real file replica whose client, once closed, refuses to list, as an S3 client does. */
	private static final class ClosedRefusing extends ForwardingReplicaClient {

		private volatile boolean closed;

		private final AtomicInteger listedAfterClose = new AtomicInteger();

		ClosedRefusing(ReplicaClient client) {
			super(client);
		}

		@Override
		public List<SnapshotInfo> snapshots(String generation) throws IOException {
			refuseIfClosed();
			return super.snapshots(generation);
		}

		@Override
		public List<WalSegmentInfo> walSegments(String generation) throws IOException {
			refuseIfClosed();
			return super.walSegments(generation);
		}

		@Override
		public void close() throws IOException {
			this.closed = true;
			super.close();
		}

		private void refuseIfClosed() throws IOException {
			if (this.closed) {
				this.listedAfterClose.incrementAndGet();
				throw new IOException("Connection pool shut down");
			}
		}

	}

}
