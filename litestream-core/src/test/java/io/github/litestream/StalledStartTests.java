package io.github.litestream;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.EngineResources.descriptorsOn;
import static io.github.litestream.EngineResources.leaseThreads;
import static io.github.litestream.SnapshotReadProbes.runUntilReturnedOrWaiting;
import static io.github.litestream.SnapshotReadProbes.truncatingCheckpointBusy;
import static io.github.litestream.StoredLeases.storedLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * An engine's start that waits (for a snapshot upload of its previous run still reading a file,
 * for a store slow to take a lease) holds the engine's lock for none of it: another database's
 * registration returns meanwhile and is replicated once the start ends, and a close returns at
 * once, gives the start up and leaves nothing open, no lease held (nor taken after it) and no
 * renewal thread. A start given up while that snapshot still reads the file leaves its lease to
 * expire, however long it waited. Real SQLite files, real file replicas, a real engine; the
 * upload and the lease write are held on latches, not slow. A registration that hands a lease over
 * (a missing file restored under its leases) waits for the start instead, its lease renewed.
 */
class StalledStartTests {

	private static final Duration FAST = Duration.ofMillis(50);

	/** Short, so that its two safety margins (400 ms) pass while a start waits. */
	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	/** Much less than the 30 s a start waits for the previous run's snapshot. */
	private static final Duration NOT_HELD = Duration.ofSeconds(10);

	@TempDir
	Path dir;

	private final Litestream engine = new Litestream();

	private final DatabaseRegistry registry = new DatabaseRegistry(this.engine);

	private final List<AppDatabase> apps = new ArrayList<>();

	private final List<Runnable> releases = new ArrayList<>();

	private final ExecutorService caller = Executors.newCachedThreadPool();

	@AfterEach
	void close() throws Exception {
		this.releases.forEach(Runnable::run);
		this.caller.shutdownNow();
		this.engine.stop(Duration.ofSeconds(30));
		this.engine.close();
		for (ReplicatedDatabase database : this.engine.databases()) {
			// A previous run's snapshot, released above, ends and closes its connections on its own
			// thread: before the directory is deleted.
			await().atMost(Duration.ofSeconds(30)).until(() -> !database.closingAfterSnapshot());
		}
		for (AppDatabase app : this.apps) {
			app.close();
		}
	}

	@Test
	void aStartWaitingForThePreviousRunsSnapshotHoldsUpNoRegistrationAndOpensItToo() throws Exception {
		HeldSnapshotUpload held = restartedWhileASnapshotStillReads("a");
		CompletableFuture<Void> started = runUntilReturnedOrWaiting("starting", this.engine::start, "awaitClosed");
		assertThat(started).as("waiting for the previous run's snapshot").isNotDone();

		Path b = app("b");
		Future<ReplicatedDatabase> registerB = this.caller.submit(() -> this.registry.register(options(b), LEASE,
				target(new FileReplicaClient(replica("b")))));
		await().atMost(NOT_HELD).until(registerB::isDone);
		ReplicatedDatabase registeredB = registerB.get();
		assertThat(this.registry.find(b)).contains(registeredB);
		assertThat(this.engine.isRunning()).isFalse();
		Future<?> startedAgain = this.caller.submit(() -> {
			this.engine.start();
			return null;
		});
		assertThat(started).isNotDone();

		held.release();
		started.get(1, TimeUnit.MINUTES);
		startedAgain.get(1, TimeUnit.MINUTES);
		assertThat(this.engine.isRunning()).isTrue();
		assertThat(this.engine.databases()).hasSize(2);
		for (ReplicatedDatabase database : this.engine.databases()) {
			Replica replica = this.engine.replicas(database).get(0);
			assertThat(this.engine.lease(replica).orElseThrow().role()).isEqualTo(LeaseRole.PRIMARY);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> replica.position().equals(this.engine.commitPosition(database)));
		}
		assertThat(storedLease(replica("b")).epoch()).as("taken once, by one start").isEqualTo(1);
	}

	@Test
	void aCloseDuringAStartWaitingForThePreviousRunsSnapshotReturnsAtOnceAndLeavesNothingOpen() throws Exception {
		HeldSnapshotUpload held = restartedWhileASnapshotStillReads("a");
		Set<Thread> leaseThreads = leaseThreads();
		CompletableFuture<Void> started = runUntilReturnedOrWaiting("starting", this.engine::start, "awaitClosed");
		assertThat(started).isNotDone();

		closeEngine();
		assertGivenUpByTheClose(started);
		held.release();
		ReplicatedDatabase database = this.engine.databases().get(0);
		await().atMost(Duration.ofSeconds(30)).until(() -> !database.closingAfterSnapshot());
		assertThat(truncatingCheckpointBusy(this.apps.get(0))).as("an engine connection left open").isFalse();
		assertThat(leaseThreads()).as("lease renewal threads left running").allMatch(leaseThreads::contains);
		assertThat(this.engine.lease(this.engine.replicas(database).get(0)).orElseThrow().role())
			.isEqualTo(LeaseRole.NONE);
	}

	@Test
	void aStartGivenUpWhileThePreviousRunsSnapshotStillReadsLeavesTheLeaseToExpire() throws Exception {
		restartedWhileASnapshotStillReads("a");
		CompletableFuture<Void> started = runUntilReturnedOrWaiting("starting", this.engine::start, "awaitClosed");
		assertThat(started).isNotDone();
		// Taken again at once, writable two margins after the previous run abandoned it: longer ago
		// now, but that run's snapshot upload may still land.
		Replica replica = this.engine.replicas(this.engine.databases().get(0)).get(0);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.engine.leases().of(replica).orElseThrow().untilWritable().isZero());

		closeEngine();
		assertGivenUpByTheClose(started);
		assertThat(storedLease(replica("a")).released()).as("released while the old upload may still land")
			.isFalse();
	}

	@Test
	void aStartStalledTakingALeaseHoldsUpNoRegistrationAndACloseGivesItUp() throws Exception {
		Path a = app("a");
		this.apps.remove(0).close();
		StalledLeaseStore store = new StalledLeaseStore(new FileReplicaClient(replica("a")));
		this.releases.add(store::proceed);
		this.engine.addDatabase(options(a), LEASE, target(store));
		Set<Thread> leaseThreads = leaseThreads();
		Future<?> started = this.caller.submit(() -> {
			this.engine.start();
			return null;
		});
		assertThat(store.awaitStalled()).isTrue();

		Path b = app("b");
		this.apps.remove(0).close();
		Future<ReplicatedDatabase> registerB = this.caller.submit(() -> this.registry.register(options(b), LEASE,
				target(new FileReplicaClient(replica("b")))));
		await().atMost(NOT_HELD).until(registerB::isDone);
		assertThat(this.registry.find(b)).contains(registerB.get());
		closeEngine();
		assertThat(started).as("still taking the lease").isNotDone();

		store.proceed();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> started.get(1, TimeUnit.MINUTES))
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("was stopped while it started");
		assertThat(storedLease(replica("a")).released()).as("taken, then given up by the start").isTrue();
		assertThat(descriptorsOn(this.dir, "a.db")).isEmpty();
		assertThat(descriptorsOn(this.dir, "b.db")).isEmpty();
		assertThat(leaseThreads()).as("lease renewal threads left running").allMatch(leaseThreads::contains);
	}

	@Test
	void aStartGivenUpWhileTakingALeaseTakesNoFurtherLease() throws Exception {
		Path a = app("a");
		Path b = app("b");
		StalledLeaseStore store = new StalledLeaseStore(new FileReplicaClient(replica("a")));
		this.releases.add(store::proceed);
		this.engine.addDatabase(options(a), LEASE, target(store));
		this.engine.addDatabase(options(b), LEASE, target(new FileReplicaClient(replica("b"))));
		Future<?> started = this.caller.submit(() -> {
			this.engine.start();
			return null;
		});
		assertThat(store.awaitStalled()).isTrue();
		closeEngine();

		store.proceed();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> started.get(1, TimeUnit.MINUTES))
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("was stopped while it started");
		assertThat(new FileReplicaClient(replica("b")).conditionalObjects()
			.orElseThrow()
			.read(ReplicaLease.OBJECT)).as("the lease of the next database, taken after the close").isEmpty();
	}

	@Test
	void aRegistrationAfterAStartGivenUpByAStopIsRefusedAsAfterAStop() throws Exception {
		Path a = app("a");
		StalledLeaseStore store = new StalledLeaseStore(new FileReplicaClient(replica("a")));
		Future<?> started = startStalledOnTheLeaseOf(a, store);
		assertThat(this.engine.stop(Duration.ofSeconds(30))).isTrue();
		store.proceed();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> started.get(1, TimeUnit.MINUTES))
			.havingCause()
			.withMessageContaining("was stopped while it started");

		Path b = app("b");
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> this.registry.register(options(b), LEASE, target(new FileReplicaClient(replica("b")))))
			.withMessageContaining("the engine is shutting down");
		assertThat(this.registry.find(b)).isEmpty();
	}

	@Test
	void aRegistrationRestoringUnderItsLeasesWaitsForAStalledStartWithItsLeaseRenewed() throws Exception {
		Path a = app("a");
		this.apps.remove(0).close();
		StalledLeaseStore store = new StalledLeaseStore(new FileReplicaClient(replica("a")));
		Future<?> started = startStalledOnTheLeaseOf(a, store);

		// Missing: restored under leases taken in advance, which the engine takes over.
		Path c = this.dir.resolve("c.db");
		Future<ReplicatedDatabase> registerC = this.caller.submit(() -> this.registry.register(options(c), LEASE,
				target(new FileReplicaClient(replica("c")))));
		await().atMost(NOT_HELD)
			.ignoreExceptionsInstanceOf(NoSuchElementException.class)
			.until(() -> storedLease(replica("c")) != null);
		Instant taken = storedLease(replica("c")).expiresAt();
		// Handed over to a start that has not taken it yet, it would expire unrenewed.
		await().atMost(NOT_HELD)
			.until(() -> storedLease(replica("c")).expiresAt().isAfter(taken.plus(LEASE.ttl().multipliedBy(3))));

		store.proceed();
		started.get(1, TimeUnit.MINUTES);
		ReplicatedDatabase registeredC = registerC.get(1, TimeUnit.MINUTES);
		assertThat(this.engine.isRunning()).isTrue();
		assertThat(this.engine.lease(this.engine.replicas(registeredC).get(0)).orElseThrow().role())
			.isEqualTo(LeaseRole.PRIMARY);
		assertThat(storedLease(replica("c")).epoch()).as("handed over within one holding").isEqualTo(1);
	}

	/** Starts the engine on another thread with one leased database, until its lease write stalls. */
	private Future<?> startStalledOnTheLeaseOf(Path file, StalledLeaseStore store) throws Exception {
		this.releases.add(store::proceed);
		this.engine.addDatabase(options(file), LEASE, target(store));
		Future<?> started = this.caller.submit(() -> {
			this.engine.start();
			return null;
		});
		assertThat(store.awaitStalled()).isTrue();
		return started;
	}

	/**
	 * Starts the engine with one leased database, holds a snapshot upload, stops and closes the
	 * engine while it still reads the file: the restart case (a context refreshed, a test).
	 */
	private HeldSnapshotUpload restartedWhileASnapshotStillReads(String name) throws Exception {
		Path file = app(name);
		this.apps.get(0).insert(5);
		HeldSnapshotUpload held = new HeldSnapshotUpload(new FileReplicaClient(replica(name)));
		this.releases.add(held::release);
		ReplicatedDatabase database = this.engine.addDatabase(options(file), LEASE, target(held));
		this.engine.start();
		Replica replica = this.engine.replicas(database).get(0);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> replica.position().equals(this.engine.commitPosition(database)));
		held.hold();
		this.engine.snapshotNow(replica);
		assertThat(held.awaitWriting()).isTrue();
		this.engine.stop(Duration.ofMillis(100));
		this.engine.close();
		assertThat(database.closingAfterSnapshot()).isTrue();
		return held;
	}

	/** Stops and closes the engine on another thread: neither may wait for the start. */
	private void closeEngine() throws Exception {
		Future<?> closing = this.caller.submit(() -> {
			this.engine.stop(Duration.ofSeconds(30));
			this.engine.close();
			return null;
		});
		await().atMost(NOT_HELD).until(closing::isDone);
		closing.get();
	}

	private void assertGivenUpByTheClose(CompletableFuture<Void> started) {
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> started.get(1, TimeUnit.MINUTES))
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("was stopped while it started")
			.withMessageContaining("nothing was opened");
		assertThat(this.engine.isRunning()).isFalse();
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

}
