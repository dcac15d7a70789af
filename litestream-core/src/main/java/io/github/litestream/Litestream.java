package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
 * <p>About 500 lines, half of it javadoc of the public API: registration, the threads'
 * lifecycle and the shutdown flush (which share the same state and lock) stay together; the
 * per-replica work is in {@code ReplicaTask}, synchronous waits in {@code SynchronousReplication},
 * the shadow WAL's release in {@code ShadowWalRelease} and the replicas' leases in
 * {@code LeaseKeeper}.
 */
public final class Litestream implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(Litestream.class);

	/**
	 * Databases and their replicas: an immutable snapshot, replaced on each registration, so
	 * that readers (endpoints, metrics listeners on the monitor thread) never take the lock
	 * that start and stop hold while they wait for the monitor thread.
	 */
	private volatile Map<ReplicatedDatabase, List<Replica>> databases = Map.of();

	private final Map<Replica, ReplicaTask> tasks = new ConcurrentHashMap<>();

	private final List<Runnable> startingCallbacks = new CopyOnWriteArrayList<>();

	private final Clock clock;

	private final ReplicaValidation validation;

	private final SynchronousReplication synchronous = new SynchronousReplication();

	private final ShadowWalRelease shadowWal;

	private final EngineThreads threads;

	/** Each database's monitor, while it runs. */
	private final Map<ReplicatedDatabase, SerialLane> monitors = new ConcurrentHashMap<>();

	private EngineScheduler scheduler;

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
		this.shadowWal = new ShadowWalRelease(clock);
		this.threads = threads;
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
		return register(options, lease, targets);
	}

	private ReplicatedDatabase register(DatabaseOptions options, LeaseOptions lease, List<ReplicationTarget> targets) {
		Path path = options.path().toAbsolutePath().normalize();
		if (this.databases.keySet().stream().anyMatch((known) -> known.path().toAbsolutePath().normalize().equals(path))) {
			throw new IllegalStateException("Database " + path + " is already replicated; unregister it first");
		}
		ReplicatedDatabase database = new ReplicatedDatabase(options, this.clock);
		List<Replica> replicas = new ArrayList<>();
		for (ReplicationTarget target : targets) {
			replicas.add(lease.enabled() ? this.leases.leased(database, target, lease, this.holder, this.clock)
					: new Replica(database, target.client(), target.options(), this.clock));
		}
		Map<ReplicatedDatabase, List<Replica>> registered = new LinkedHashMap<>(this.databases);
		registered.put(database, List.copyOf(replicas));
		this.databases = Collections.unmodifiableMap(registered);
		return database;
	}

	/**
	 * Registers a database and, when the engine runs, opens it and starts replicating it at once.
	 * @throws IOException if it cannot be opened (it is then not registered)
	 */
	synchronized ReplicatedDatabase attach(DatabaseOptions options, LeaseOptions lease,
			List<ReplicationTarget> targets) throws IOException {
		ReplicatedDatabase database = register(options, lease, targets);
		if (!this.running) {
			return database;
		}
		this.startingCallbacks.forEach(Runnable::run);
		try {
			this.leases.acquire(database);
			ContinuationCheck.run(database, this.databases.get(database));
			database.open();
		}
		catch (IOException | RuntimeException ex) {
			database.close();
			this.leases.release(database);
			unregister(database);
			throw ex;
		}
		startReplication(database, this.databases.get(database));
		return database;
	}

	/**
	 * Stops replicating one database: with {@code flush}, a last WAL copy that every replica ships
	 * within the timeout; without, only the steps in progress finish (within the timeout). Then
	 * its engine connections close; its replica clients stay open for the caller to close.
	 * @return {@code true} if every replica received every committed change
	 */
	synchronized boolean detach(ReplicatedDatabase database, Duration timeout, boolean flush) {
		List<Replica> replicas = replicas(database);
		Instant deadline = this.clock.instant().plus(timeout);
		SerialLane monitor = this.monitors.remove(database);
		List<ReplicaTask> running = replicas.stream().map(this.tasks::remove).filter(Objects::nonNull).toList();
		boolean flushed = !flush;
		if (monitor != null) {
			monitor.shutdown();
			awaitQuietly(monitor, timeout);
			if (flush) {
				monitor(database);
				flushed = ReplicaFlush.flushAll(running, this.clock, deadline);
			}
		}
		running.forEach((task) -> task.shutdown(remaining(deadline)));
		this.leases.release(database);
		unregister(database);
		database.close();
		if (!flushed) {
			logger.warn("Replication of {} stopped before every replica received every commit; the rest stays in "
					+ "its local shadow WAL", database.path());
		}
		return flushed;
	}

	private void unregister(ReplicatedDatabase database) {
		Map<ReplicatedDatabase, List<Replica>> registered = new LinkedHashMap<>(this.databases);
		registered.remove(database);
		this.databases = Collections.unmodifiableMap(registered);
	}

	/**
	 * Runs {@code callback} whenever the engine starts, with every database registered and
	 * before any of them is opened or replicated, and again whenever a database is added while
	 * it runs, before that one is opened: the moment to attach listeners that must not miss
	 * anything (such as the first snapshot). Callbacks attach what is new, so running them
	 * again is harmless.
	 * @param callback what to run, on the starting or registering thread
	 */
	public void onStarting(Runnable callback) {
		this.startingCallbacks.add(callback);
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
			for (ReplicatedDatabase database : this.databases.keySet()) {
				ContinuationCheck.run(database, this.databases.get(database));
				database.open();
				opened.add(database);
			}
		}
		catch (IOException | RuntimeException ex) {
			opened.forEach(ReplicatedDatabase::close);
			this.leases.releaseAll();
			throw ex;
		}
		// A stop keeps the replica threads for the final shipping at close; a restart replaces them.
		this.tasks.values().forEach((task) -> task.shutdown(Duration.ZERO));
		this.tasks.clear();
		this.shutdownDeadline = null;
		this.closed = false;
		if (this.scheduler == null || this.scheduler.isShutdown()) {
			this.scheduler = new EngineScheduler(this.threads);
		}
		this.databases.forEach(this::startReplication);
		this.leases.startRenewing(this.threads.replica());
		this.running = true;
		logger.info("Replicating {} database(s) to {} replica(s) on {} capture and {} replica thread(s)",
				this.databases.size(), this.tasks.size(), this.threads.capture(), this.threads.replica());
	}

	private void startReplication(ReplicatedDatabase database, List<Replica> replicas) {
		String name = database.path().getFileName().toString();
		SerialLane monitor = this.scheduler.captureLane(name);
		this.monitors.put(database, monitor);
		long interval = database.options().monitorInterval().toMillis();
		monitor.scheduleWithFixedDelay(() -> monitor(database), interval, interval, TimeUnit.MILLISECONDS);
		for (Replica replica : replicas) {
			ReplicaTask task = new ReplicaTask(database, replica, this.clock, this.validation,
					() -> releaseShadowWal(database), this.synchronous, this.leases.writable(replica));
			this.tasks.put(replica, task);
			task.start(this.scheduler.replicaLane(name + "/" + replica.name()));
		}
	}

	private void monitor(ReplicatedDatabase database) {
		try {
			database.sync();
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Could not copy the WAL of {}: {}", database.path(),
					Objects.toString(ex.getMessage(), ex.getClass().getSimpleName()));
		}
		// A failing replica holds the shadow WAL back, and it has no sync to release it after.
		try {
			if (this.databases.getOrDefault(database, List.of()).stream().anyMatch((replica) -> replica.position().isEmpty())) {
				releaseShadowWal(database);
			}
		}
		catch (RuntimeException ex) {
			// A scheduled task that throws is never run again: this database's monitor would stop.
			logger.warn("Could not release the shadow WAL of {}: {}", database.path(), ex.toString());
		}
	}

	private void releaseShadowWal(ReplicatedDatabase database) {
		List<Replica> replicas = this.databases.get(database);
		if (replicas != null) {
			this.shadowWal.release(database, replicas);
		}
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
		this.monitors.values().forEach(SerialLane::shutdown);
		this.monitors.values().forEach((monitor) -> awaitQuietly(monitor, remaining(deadline)));
		this.monitors.clear();
		this.databases.keySet().forEach(this::monitor);
		boolean flushed = ReplicaFlush.flushAll(this.tasks.values(), this.clock, deadline);
		this.tasks.values().forEach(ReplicaTask::stopSchedule);
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
		if (this.shutdownDeadline != null) {
			shipCommitsAfterStop(this.shutdownDeadline);
			this.tasks.values().forEach((task) -> task.shutdown(remaining(this.shutdownDeadline)));
		}
		// After the last write: the next instance may take the replicas at once.
		this.leases.releaseAll();
		this.databases.keySet().forEach(ReplicatedDatabase::close);
		this.tasks.values().forEach(ReplicaTask::closeClient);
		if (this.scheduler != null) {
			this.scheduler.shutdown();
		}
	}

	/**
	 * Ships what was committed after {@link #stop(Duration)} flushed: an application may still
	 * write between the stop and the closing of its pool (in-flight requests, other beans'
	 * destroy methods). Without this those commits would reach the replica only at the next
	 * start, which on an ephemeral disk never comes. Bounded by what is left of the stop's
	 * timeout.
	 */
	private void shipCommitsAfterStop(Instant deadline) {
		this.databases.keySet().forEach(this::monitor);
		boolean behind = this.databases.entrySet()
			.stream()
			.anyMatch((entry) -> entry.getValue()
				.stream()
				.anyMatch((replica) -> !replica.position().equals(entry.getKey().position())));
		if (!behind) {
			return;
		}
		boolean flushed = this.clock.instant().isBefore(deadline) && ReplicaFlush.flushAll(this.tasks.values(), this.clock, deadline);
		if (!flushed) {
			logger.warn("Commits made after shutdown began did not reach every replica within the shutdown timeout; "
					+ "they stay in the local shadow WAL and are shipped at the next start");
		}
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
		return List.copyOf(this.databases.keySet());
	}

	/**
	 * A database's replicas.
	 * @param database a registered database
	 * @return its replicas
	 */
	public List<Replica> replicas(ReplicatedDatabase database) {
		return Objects.requireNonNull(this.databases.get(database), "Unknown database");
	}

	/**
	 * Ships everything pending to a replica now, on its own thread.
	 * @param replica the replica
	 * @return a future completing with its status afterwards
	 */
	public Future<ReplicaStatus> syncNow(Replica replica) {
		return task(replica).run(() -> {
			replica.sync();
			return replica.status();
		});
	}

	/**
	 * Takes a snapshot now, on the replica's own thread.
	 * @param replica the replica
	 * @return a future completing with its status afterwards
	 */
	public Future<ReplicaStatus> snapshotNow(Replica replica) {
		return task(replica).run(() -> {
			replica.snapshot();
			return replica.status();
		});
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
	 * engine is not started or closed
	 */
	public ReplicationWait awaitReplicated(ReplicatedDatabase database, ReplicaQuorum quorum, Duration timeout) {
		List<Replica> replicas = replicas(database);
		List<ReplicaTask> running = this.closed ? List.of()
				: replicas.stream().map(this.tasks::get).filter(Objects::nonNull).toList();
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
		return task(replica).run(() -> {
			ReplicaStatus.ValidationResult result = this.validation.validate(replica);
			replica.recordValidation(result);
			return result;
		});
	}

	private ReplicaTask task(Replica replica) {
		ReplicaTask task = this.tasks.get(replica);
		if (task == null) {
			throw new IllegalStateException("Replica '" + replica.name() + "' is not running");
		}
		return task;
	}

	private Duration remaining(Instant deadline) {
		return ReplicaFlush.remaining(this.clock, deadline);
	}

	private static void awaitQuietly(SerialLane lane, Duration timeout) {
		try {
			lane.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
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
