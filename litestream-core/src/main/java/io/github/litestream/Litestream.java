package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs replication for a set of databases: each database's monitor copies its WAL into its
 * shadow WAL, and each replica ships it, snapshots, enforces retention and validates. They run
 * on a fixed number of threads whatever the number of databases ({@link EngineThreads}): each
 * database and each replica is a {@link SerialLane} that runs one step at a time and takes
 * turns with the others. Threads are daemons named {@code litestream-…}; a failing replica is
 * logged and retried and never stops the others or the application.
 *
 * <p>Lifecycle: {@link #addDatabase} for each database, {@link #start()}, then at shutdown
 * {@link #stop(Duration)} (final flush to every replica) while the application's connections
 * are still usable, and {@link #close()} once they are closed. Databases that come and go while
 * the engine runs go through a {@link DatabaseRegistry}.
 *
 * <p>This class holds the lifecycle and the public API; the work is its collaborators':
 * {@code RegisteredDatabases} (the databases and their replicas), {@code ReplicationLanes} (the
 * monitors and replica tasks that run, and the shutdown flush), {@code RuntimeDatabases} (adding
 * and removing databases while it runs), {@code ReplicaTask} (one replica's work),
 * {@code SynchronousReplication} (synchronous waits) and {@code LeaseKeeper} (the replicas'
 * leases).
 */
public final class Litestream implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(Litestream.class);

	private final RegisteredDatabases databases;

	private final ReplicationLanes lanes;

	private final RuntimeDatabases runtimeDatabases;

	private final List<Runnable> startingCallbacks = new CopyOnWriteArrayList<>();

	private final List<Consumer<ReplicatedDatabase>> removedCallbacks = new CopyOnWriteArrayList<>();

	private final Clock clock;

	private final ReplicaValidation validation;

	private final SynchronousReplication synchronous = new SynchronousReplication();

	private final LeaseHolder holder;

	private final LeaseKeeper leases = new LeaseKeeper();

	/** Set by {@link #close()}: from then on nothing is replicated and nobody waits. */
	private volatile boolean closed;

	private volatile boolean running;

	/** When the last {@link #stop(Duration)}'s timeout ends, or {@code null} before any. */
	private Instant shutdownDeadline;

	/**
	 * Creates an engine without validation support.
	 */
	public Litestream() {
		this(Clock.systemUTC(), null);
	}

	/**
	 * Creates an engine.
	 * @param clock the clock for schedules
	 * @param validation how a replica is validated, or {@code null} to never validate
	 */
	public Litestream(Clock clock, ReplicaValidation validation) {
		this(clock, validation, EngineThreads.defaults(), LeaseHolder.newInstance());
	}

	/**
	 * Creates an engine.
	 * @param clock the clock for schedules
	 * @param validation how a replica is validated, or {@code null} to never validate
	 * @param threads how many threads it runs
	 */
	public Litestream(Clock clock, ReplicaValidation validation, EngineThreads threads) {
		this(clock, validation, threads, LeaseHolder.newInstance());
	}

	/**
	 * Creates an engine that holds leases as a given holder: a {@link Standby} that took a
	 * replica's lease for it, so that the engine's start renews that lease rather than waiting
	 * for it.
	 * @param clock the clock for schedules
	 * @param validation how a replica is validated, or {@code null} to never validate
	 * @param threads how many threads it runs
	 * @param holder who this engine is in the leases it takes
	 */
	public Litestream(Clock clock, ReplicaValidation validation, EngineThreads threads, LeaseHolder holder) {
		this.holder = holder;
		this.clock = clock;
		this.validation = validation;
		this.databases = new RegisteredDatabases(clock, this.leases, holder);
		this.lanes = new ReplicationLanes(this.databases, threads, clock, validation, this.synchronous, this.leases);
		this.runtimeDatabases = new RuntimeDatabases(this.databases, this.lanes, this.leases, this.startingCallbacks,
				this.removedCallbacks);
	}

	/**
	 * Registers a database and its replicas, without leases; call before {@link #start()}.
	 * @param options the database's options
	 * @param targets its replicas
	 * @return the database
	 */
	public ReplicatedDatabase addDatabase(DatabaseOptions options, List<ReplicationTarget> targets) {
		return addDatabase(options, LeaseOptions.DISABLED, targets);
	}

	/**
	 * Registers a database and its replicas; call before {@link #start()}. With a lease, every
	 * replica carries its own, taken at start in the order given, and nothing is written to a
	 * replica unless its lease is held (see {@link ReplicaLease}).
	 * @param options the database's options
	 * @param lease whether (and how long) its replicas are leased
	 * @param targets its replicas
	 * @return the database
	 */
	public synchronized ReplicatedDatabase addDatabase(DatabaseOptions options, LeaseOptions lease,
			List<ReplicationTarget> targets) {
		if (this.running) {
			throw new IllegalStateException("Databases must be added before the engine starts; "
					+ "use a DatabaseRegistry to add one while it runs");
		}
		return this.databases.add(options, lease, targets);
	}

	/**
	 * Registers a database and, when the engine runs, opens it and starts replicating it at once
	 * (see {@link RuntimeDatabases#attach}).
	 * @throws IOException if it cannot be opened (it is then not registered)
	 */
	synchronized ReplicatedDatabase attach(DatabaseOptions options, LeaseOptions lease,
			List<ReplicationTarget> targets, Runnable beforeLease, DatabaseRegistry.@Nullable LeasedCheck underLease)
			throws IOException {
		if (!this.running && this.shutdownDeadline != null) {
			// Registered now, it would open only at a next start: its commits would reach no
			// replica, not even in the shutdown's final flush.
			throw new IllegalStateException("Cannot start replicating " + options.path()
					+ ": the engine is shutting down (stopped, not started again)");
		}
		return this.runtimeDatabases.attach(options, lease, targets, this.running, beforeLease, underLease);
	}

	/**
	 * Stops replicating one database (see {@link RuntimeDatabases#detach}).
	 * @return {@code true} if every replica received every committed change
	 */
	boolean detach(ReplicatedDatabase database, Duration timeout, boolean flush) {
		return this.<RuntimeException>detach(database, timeout, flush, () -> {
		});
	}

	/**
	 * Stops replicating one database and runs {@code whileLeased} once its replicas are idle,
	 * before their leases are released (deleting its backups needs the lease); not at all if a
	 * replica step still runs after the timeout. Only taking the database out holds the engine's
	 * lock: the flush and {@code whileLeased} wait for a store, and other databases' registrations
	 * and removals must not wait for them. Until this returns, registering the same path is
	 * refused.
	 * @return {@code true} if every replica received every committed change
	 * @throws E if {@code whileLeased} fails; replication is stopped anyway
	 */
	<E extends Exception> boolean detach(ReplicatedDatabase database, Duration timeout, boolean flush,
			RuntimeDatabases.WhileLeased<E> whileLeased) throws E {
		RuntimeDatabases.Withdrawn withdrawn;
		synchronized (this) {
			withdrawn = this.runtimeDatabases.withdraw(database);
		}
		return this.runtimeDatabases.detach(withdrawn, timeout, flush, whileLeased);
	}

	/**
	 * Refuses a path registered already, or still being unregistered.
	 * @param path the database file
	 * @throws IllegalStateException naming the path and what to do
	 */
	void requireUnregistered(Path path) {
		this.databases.requireUnregistered(path.toAbsolutePath().normalize());
	}

	/**
	 * Runs {@code callback} whenever the engine starts, with every database registered and
	 * before any of them is opened or replicated, and again whenever a database is added while
	 * it runs, before that one is opened: the moment to attach listeners that must not miss
	 * anything (such as the first snapshot). They run again once a database is removed, so that
	 * they drop what they kept of it. Callbacks attach what is new and forget what is gone, so
	 * running them again is harmless.
	 * @param callback what to run, on the starting or registering thread
	 */
	public void onStarting(Runnable callback) {
		this.startingCallbacks.add(callback);
	}

	/**
	 * Runs {@code callback} whenever a database stops being replicated while the engine runs
	 * (unregistered, a tenant deleted, or one whose registration failed), once its replicas made
	 * their last requests and before its path may be registered again: the moment to drop what
	 * was kept for it, such as its meters. A callback that throws is logged.
	 * @param callback what to run, on the unregistering thread
	 */
	public void onRemoved(Consumer<ReplicatedDatabase> callback) {
		this.removedCallbacks.add(callback);
	}

	/**
	 * Runs the {@link #onStarting(Runnable) starting callbacks}, opens every database and
	 * starts the threads.
	 * @throws IOException if a database cannot be opened (nothing is left running)
	 */
	public synchronized void start() throws IOException {
		if (this.running) {
			return;
		}
		this.startingCallbacks.forEach(Runnable::run);
		// Before anything is opened or written: a refused instance leaves no trace.
		this.leases.acquireAll();
		List<ReplicatedDatabase> opened = new ArrayList<>();
		try {
			for (Map.Entry<ReplicatedDatabase, List<Replica>> entry : this.databases.current().entrySet()) {
				ReplicatedDatabase database = entry.getKey();
				ContinuationCheck.run(database, entry.getValue());
				database.open();
				opened.add(database);
			}
		}
		catch (IOException | RuntimeException ex) {
			opened.forEach(ReplicatedDatabase::close);
			this.leases.releaseAll();
			throw ex;
		}
		this.lanes.open();
		this.shutdownDeadline = null;
		this.closed = false;
		this.databases.current().forEach(this.lanes::start);
		EngineThreads threads = this.lanes.threads();
		this.leases.startRenewing(threads.replica());
		this.running = true;
		logger.info("Replicating {} database(s) to {} replica(s) on {} capture and {} replica thread(s)",
				this.databases.current().size(), this.lanes.replicaCount(), threads.capture(), threads.replica());
	}

	/**
	 * Stops the schedules and flushes: every database's WAL is copied once more and every
	 * replica ships everything, within the timeout.
	 * @param timeout how long the flush may take in all
	 * @return {@code true} if every replica received every committed change
	 */
	public synchronized boolean stop(Duration timeout) {
		if (!this.running) {
			return true;
		}
		this.running = false;
		Instant deadline = this.clock.instant().plus(timeout);
		boolean flushed = this.lanes.stopAndFlush(deadline);
		this.shutdownDeadline = deadline;
		if (!flushed) {
			logger.warn("Shutdown flush did not reach every replica within {}; the rest stays in the local "
					+ "shadow WAL and is shipped at the next start", timeout);
		}
		return flushed;
	}

	/**
	 * Closes every database's engine connections (after a {@link #stop(Duration)}).
	 */
	@Override
	public synchronized void close() {
		this.closed = true;
		if (this.running) {
			stop(Duration.ofSeconds(30));
		}
		boolean idle = (this.shutdownDeadline == null) || this.lanes.shipCommitsAfterStop(this.shutdownDeadline);
		if (idle) {
			// After the last write: the next instance may take the replicas at once.
			this.leases.releaseAll();
		}
		else {
			logger.warn("A replica step was still running at close (a slow store); the leases expire after their "
					+ "ttl instead of being released, so that no other instance writes while its write may land");
			this.leases.abandonAll();
		}
		this.databases.current().keySet().forEach(ReplicatedDatabase::close);
		this.lanes.close();
	}

	/**
	 * Whether the threads are running.
	 * @return {@code true} between start and stop
	 */
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * The registered databases, in registration order.
	 * @return the databases
	 */
	public List<ReplicatedDatabase> databases() {
		return List.copyOf(this.databases.current().keySet());
	}

	/**
	 * The database registered at a path, found without going through every database.
	 * @param path the database file
	 * @return the database, or empty if none is registered there
	 */
	public Optional<ReplicatedDatabase> database(Path path) {
		return Optional.ofNullable(this.databases.at(path.toAbsolutePath().normalize()));
	}

	/**
	 * A database's replicas.
	 * @param database a database from {@link #databases()}
	 * @return its replicas; none once it was unregistered (a tenant removed while a health
	 * check or the endpoint goes through the list)
	 */
	public List<Replica> replicas(ReplicatedDatabase database) {
		return this.databases.current().getOrDefault(database, List.of());
	}

	/**
	 * Ships everything pending to a replica now, on its own thread.
	 * @param replica the replica
	 * @return a future completing with its status afterwards
	 */
	public Future<ReplicaStatus> syncNow(Replica replica) {
		return this.lanes.task(replica).run(() -> {
			replica.sync();
			return replica.status();
		});
	}

	/**
	 * Takes a snapshot now: begun on the replica's own thread, uploaded beside it while WAL keeps
	 * shipping.
	 * @param replica the replica
	 * @return a future completing with its status once the snapshot is stored
	 */
	public Future<ReplicaStatus> snapshotNow(Replica replica) {
		return this.lanes.task(replica).snapshotNow();
	}

	/**
	 * Waits until every commit made so far on a database is stored in its replicas, for a
	 * commit that must not be acknowledged before it survives the loss of the local disk. The
	 * wait syncs at once rather than at the next sync interval, and concurrent waits share one
	 * WAL copy and one upload per replica. A wait that times out changes nothing: the commits
	 * stay committed locally and are still shipped.
	 * @param database a registered database
	 * @param quorum how many of its replicas must hold the commits
	 * @param timeout how long to wait at most
	 * @return the outcome; {@link ReplicationWait.Outcome#NOT_REPLICATING} at once when the
	 * engine is not started or closed, or the database was detached
	 */
	public ReplicationWait awaitReplicated(ReplicatedDatabase database, ReplicaQuorum quorum, Duration timeout) {
		// Detached meanwhile: committed, as without replication.
		List<Replica> replicas = this.databases.current().getOrDefault(database, List.of());
		List<ReplicaTask> running = (this.closed || replicas.isEmpty()) ? List.of() : this.lanes.running(replicas);
		return this.synchronous.await(database, replicas, running, quorum, timeout);
	}

	/**
	 * The position of everything committed to a database so far, for read-your-writes: once a
	 * replica's {@link Replica#position()} reaches it (same generation, not lower), a restore
	 * or a reader of that replica sees those commits. Copies the committed WAL first.
	 * @param database a registered, open database
	 * @return the position, empty before the database has a generation
	 * @throws IOException if the WAL cannot be copied
	 */
	public Optional<Pos> commitPosition(ReplicatedDatabase database) throws IOException {
		database.sync();
		return database.position();
	}

	/**
	 * A leased replica's lease as this instance sees it.
	 * @param replica a registered replica
	 * @return its lease, or empty if the replica is not leased
	 */
	public Optional<LeaseStatus> lease(Replica replica) {
		return this.leases.of(replica).map(ReplicaLease::status);
	}

	/**
	 * Registers a listener told when a leased replica is fenced or leased again (readiness).
	 * @param listener the listener
	 */
	public void addLeaseListener(LeaseListener listener) {
		this.leases.addListener(listener);
	}

	/**
	 * This engine as a lease holder: its instance id, host and pid.
	 * @return the holder
	 */
	public LeaseHolder leaseHolder() {
		return this.holder;
	}

	/** The synchronous waits, for tests. */
	SynchronousReplication synchronous() {
		return this.synchronous;
	}

	/**
	 * Registers a listener for synchronous waits (metrics).
	 * @param listener the listener
	 */
	public void addReplicationWaitListener(ReplicationWaitListener listener) {
		this.synchronous.addListener(listener);
	}

	/**
	 * Validates a replica now, on its own thread, as {@code validation-interval} does: restores
	 * it at a new WAL index and compares it with the database. The result is recorded in the
	 * replica's status.
	 * @param replica the replica
	 * @return a future completing with the outcome
	 * @throws IllegalStateException if the engine was created without validation
	 */
	public Future<ReplicaStatus.ValidationResult> validateNow(Replica replica) {
		if (this.validation == null) {
			throw new IllegalStateException("This engine was created without replica validation");
		}
		return this.lanes.task(replica).run(() -> {
			ReplicaStatus.ValidationResult result = this.validation.validate(replica);
			replica.recordValidation(result);
			return result;
		});
	}

	/**
	 * One replica of a database.
	 *
	 * @param client where copies go
	 * @param options how it is kept
	 */
	public record ReplicationTarget(ReplicaClient client, ReplicaOptions options) {
	}

	/**
	 * Restores a replica somewhere and compares it with its database.
	 */
	@FunctionalInterface
	public interface ReplicaValidation {

		/**
		 * Validates a replica.
		 * @param replica the replica
		 * @return the outcome
		 * @throws IOException if the replica cannot be read
		 */
		ReplicaStatus.ValidationResult validate(Replica replica) throws IOException;

	}

}
