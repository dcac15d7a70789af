package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
 * <p>This class holds the public API; the work is its collaborators': {@code EngineLifecycle}
 * (start, stop, close, and registrations while it runs), {@code RegisteredDatabases} (the
 * databases and their replicas), {@code ReplicationLanes} (the monitors and replica tasks that
 * run, and the shutdown flush), {@code RuntimeDatabases} (adding and removing databases while
 * it runs), {@code ReplicaTask} (one replica's work), {@code OnDemandReplication} (syncs,
 * snapshots, validations and waits asked for now), {@code SynchronousReplication} (synchronous
 * waits), {@code LeaseKeeper} (the replicas' leases) and {@code EngineCallbacks}.
 */
public final class Litestream implements AutoCloseable {

	private final RegisteredDatabases databases;

	private final ReplicationLanes lanes;

	/** Whether it runs, and the steps that depend on it; called under this engine's lock. */
	private final EngineLifecycle lifecycle;

	private final EngineCallbacks callbacks = new EngineCallbacks();

	/** Syncs, snapshots, validations and waits asked for now rather than when due. */
	private final OnDemandReplication onDemand;

	private final SynchronousReplication synchronous = new SynchronousReplication();

	private final LeaseHolder holder;

	private final LeaseKeeper leases = new LeaseKeeper();

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
		this.databases = new RegisteredDatabases(clock, this.leases, holder);
		this.lanes = new ReplicationLanes(this.databases, threads, clock, validation, this.synchronous, this.leases);
		RuntimeDatabases runtimeDatabases = new RuntimeDatabases(this.databases, this.lanes, this.leases, this.callbacks);
		this.lifecycle = new EngineLifecycle(this, this.databases, this.lanes, this.leases, runtimeDatabases,
				this.callbacks, clock);
		this.onDemand = new OnDemandReplication(this.databases, this.lanes, this.lifecycle, this.synchronous, validation);
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
		if (this.lifecycle.running()) {
			throw new IllegalStateException("Databases must be added before the engine starts; "
					+ "use a DatabaseRegistry to add one while it runs");
		}
		return this.databases.add(options, lease, targets);
	}

	/**
	 * Says when a leased database's existing file is compared with its replicas before the
	 * engine first writes to them (see {@link FileCheck}); call before {@link #start()}. Without
	 * it, nothing is compared ({@link FileCheck#DONE}): the caller knows whether the file was
	 * restored, compared or created before the engine starts.
	 * @param database a database added with a lease
	 * @param check when its file is compared
	 */
	public synchronized void checkFile(ReplicatedDatabase database, FileCheck check) {
		this.leases.guards().check(database, check);
	}

	/**
	 * A leased database's file, if it was found stale when the engine first took a replica's
	 * lease: it is not replicated (see {@link FileCheck}).
	 * @param database a registered database
	 * @return the stale file, or empty
	 */
	public Optional<StaleFile> staleFile(ReplicatedDatabase database) {
		return this.leases.guards().stale(database);
	}

	/**
	 * What a leased database's replication waits for, while its file awaits its comparison with
	 * a replica (see {@link FileCheck}): nothing is known to be wrong, and nothing is written yet.
	 * @param database a registered database
	 * @return the awaited comparison, or empty
	 */
	public Optional<AwaitedComparison> awaitedComparison(ReplicatedDatabase database) {
		return this.leases.guards().awaiting(database);
	}

	/** Whether it runs, and adding and removing databases while it runs (for a registry). */
	EngineLifecycle lifecycle() {
		return this.lifecycle;
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
		this.callbacks.onStarting(callback);
	}

	/**
	 * Runs {@code callback} whenever a database stops being replicated while the engine runs
	 * (unregistered, a tenant deleted, or one whose registration failed), once its replicas made
	 * their last requests and before its path may be registered again: the moment to drop what
	 * was kept for it, such as its meters. A callback that throws is logged.
	 * @param callback what to run, on the unregistering thread
	 */
	public void onRemoved(Consumer<ReplicatedDatabase> callback) {
		this.callbacks.onRemoved(callback);
	}

	/**
	 * Runs the {@link #onStarting(Runnable) starting callbacks}, takes every database's leases,
	 * opens every database and starts the threads. Its waits (leases, which may wait out a crashed
	 * holder's ttl; replica listings; up to 30 s for a snapshot upload the previous close left
	 * reading a file) do not hold the engine's lock: a database registered meanwhile is opened by
	 * this start (one unregistered is not), a stop or close meanwhile returns at once and makes it
	 * fail (nothing opened, its leases given up), and a second start waits for it.
	 * @throws IOException if a lease is refused or a database cannot be opened (nothing is left
	 * running, nothing was written)
	 * @throws IllegalStateException if a stop or close gave the start up
	 */
	public void start() throws IOException {
		this.lifecycle.start();
	}

	/**
	 * Stops the schedules and flushes: every database's WAL is copied once more and every
	 * replica ships everything, within the timeout. A start under way is given up at once (see
	 * {@link #start()}).
	 * @param timeout how long the flush may take in all
	 * @return {@code true} if every replica received every committed change
	 */
	public synchronized boolean stop(Duration timeout) {
		return this.lifecycle.stop(timeout);
	}

	/**
	 * Closes every database's engine connections (after a {@link #stop(Duration)}). A database
	 * being unregistered meanwhile (shipping its last commits, deleting its backups) is let finish
	 * for up to 30 s; one still deleting then stops before its next generation and fails, naming
	 * what is left. A start under way is given up (see {@link #start()}), not waited for: its
	 * leases, renewed no more, are its own to give up once its store answers.
	 */
	@Override
	public synchronized void close() {
		this.lifecycle.close();
	}

	/**
	 * Whether the threads are running.
	 * @return {@code true} between start and stop
	 */
	public boolean isRunning() {
		return this.lifecycle.running();
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
		return this.onDemand.syncNow(replica);
	}

	/**
	 * Takes a snapshot now: begun on the replica's own thread, uploaded beside it while WAL keeps
	 * shipping.
	 * @param replica the replica
	 * @return a future completing with its status once the snapshot is stored
	 */
	public Future<ReplicaStatus> snapshotNow(Replica replica) {
		return this.onDemand.snapshotNow(replica);
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
		return this.onDemand.awaitReplicated(database, quorum, timeout);
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

	/** The leases, for tests. */
	LeaseKeeper leases() {
		return this.leases;
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
		return this.onDemand.validateNow(replica);
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
