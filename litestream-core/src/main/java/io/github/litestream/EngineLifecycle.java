package io.github.litestream;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.Replica;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a {@link Litestream} engine runs, and every step that depends on it: starting,
 * stopping and closing the engine, and adding and removing databases while it runs (for a
 * {@link DatabaseRegistry}). Everything runs under the engine's lock, the engine's own monitor,
 * which its synchronized methods hold when they call in here and which a start and registrations
 * take here (others may hold it to keep the engine busy), but for what waits for a store or for
 * the previous run: a start's and a registration's taking of leases and reading of replicas, a
 * start's wait for a snapshot upload of the previous run, and the stopping of a database already
 * withdrawn. A close waits for those removals (bounded): they need the engine's threads and their
 * leases until they end. It does not wait for that start or those registrations: they fail.
 */
final class EngineLifecycle {

	// The engine's category, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(Litestream.class);

	/** How long a close without a stop flushes. */
	private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

	/** The engine's lock: its monitor. */
	private final Object engineLock;

	private final RegisteredDatabases databases;

	private final ReplicationLanes lanes;

	private final LeaseKeeper leases;

	private final RuntimeDatabases runtimeDatabases;

	private final EngineCallbacks callbacks;

	private final Clock clock;

	/** Set by {@link #close()}: from then on nothing is replicated and nobody waits. */
	private volatile boolean closed;

	private volatile boolean running;

	/** A start's steps, and whether one is under way. */
	private final EngineStart start;

	/** How many times the engine started: a registration begun before a close and a start again fails. */
	private long starts;

	/** When the last {@link #stop(Duration)}'s timeout ends, or {@code null} before any. */
	private Instant shutdownDeadline;

	/** The databases whose removal runs outside the engine's lock. */
	private final Removals removing = new Removals();

	/** The paths a {@link DatabaseRegistry} registers, from before their restore until it returns. */
	private final PathReservations reservations;

	private final ShutdownSummary summary;

	EngineLifecycle(Object engineLock, RegisteredDatabases databases, ReplicationLanes lanes, LeaseKeeper leases,
			RuntimeDatabases runtimeDatabases, EngineCallbacks callbacks, Clock clock) {
		this.engineLock = engineLock;
		this.databases = databases;
		this.lanes = lanes;
		this.leases = leases;
		this.runtimeDatabases = runtimeDatabases;
		this.callbacks = callbacks;
		this.clock = clock;
		this.start = new EngineStart(engineLock, leases);
		this.reservations = new PathReservations(databases);
		this.summary = new ShutdownSummary(clock);
	}

	/**
	 * Registers a database and, when the engine runs, opens it and starts replicating it at once.
	 * Only reserving its path and opening it hold the engine's lock: taking its leases and
	 * reading its replicas wait for stores, and other databases' registrations and removals, and
	 * the engine's stop and close, must not wait for them. A stop or close meanwhile fails it.
	 * While the engine starts, it is registered as before the start, which takes its leases and
	 * opens it (one checked under its leases, or handing a lease over, waits for the start
	 * instead: the lease stays renewed by its owner until the engine is about to take it).
	 * @param beforeLease runs once with the database, its replicas made, right before its leases
	 * are taken (at once when the engine does not run: they are taken by the start); for a leased
	 * database it hands the leases over; {@code null} for nothing
	 * @param underLease runs once the leases are taken, before anything is checked or opened;
	 * {@code null} for nothing (it needs a running engine)
	 * @param fileCheck when its existing file is compared with its replicas, or {@code null} for
	 * the default (see {@link FileCheck})
	 * @throws IOException if it cannot be opened, or {@code underLease} refused it (it is then
	 * not registered)
	 */
	ReplicatedDatabase attach(DatabaseOptions options, LeaseOptions lease, List<ReplicationTarget> targets,
			@Nullable Consumer<ReplicatedDatabase> beforeLease, DatabaseRegistry.@Nullable LeasedCheck underLease,
			@Nullable FileCheck fileCheck)
			throws IOException {
		ReplicatedDatabase database;
		long startedAs;
		synchronized (this.engineLock) {
			if (this.start.underWay() && (underLease != null || (beforeLease != null && lease.enabled()))) {
				// Its check needs its leases taken by a running engine; a lease handed over now would
				// go unrenewed until the start takes it (it may wait a ttl, or for a store).
				this.start.awaitEnd();
			}
			if (this.start.underWay() && !this.start.givenUp()) {
				// Taken, checked and opened by the start under way, as if registered before it.
				return this.runtimeDatabases.add(options, lease, targets, beforeLease, underLease, fileCheck);
			}
			if (this.start.givenUp()) {
				// Until a start again, as after a stop: its commits would reach no replica.
				throw new IllegalStateException("Cannot start replicating " + options.path()
						+ ": the engine is shutting down (stopped or closed while it started)");
			}
			if (!this.running && this.shutdownDeadline != null) {
				// Registered now, it would open only at a next start: its commits would reach no
				// replica, not even in the shutdown's final flush.
				throw new IllegalStateException("Cannot start replicating " + options.path()
						+ ": the engine is shutting down (stopped, not started again)");
			}
			if (!this.running) {
				return this.runtimeDatabases.add(options, lease, targets, beforeLease, underLease, fileCheck);
			}
			database = this.runtimeDatabases.join(options, lease, targets, fileCheck);
			startedAs = this.starts;
		}
		this.runtimeDatabases.prepare(database, beforeLease, underLease);
		Exception failure;
		boolean listed = false;
		synchronized (this.engineLock) {
			if (this.running && this.starts == startedAs) {
				listed = true;
				try {
					this.runtimeDatabases.start(database);
					return database;
				}
				catch (IOException | RuntimeException ex) {
					failure = ex;
				}
			}
			else {
				// A close stopped its leases' renewals, and the lanes it would start on.
				failure = new IllegalStateException("Cannot start replicating " + database.path()
						+ ": the engine stopped while it was being registered (its leases taken or its replicas "
						+ "read); register it again once the engine runs");
			}
		}
		this.runtimeDatabases.fail(database, listed);
		if (failure instanceof IOException io) {
			throw io;
		}
		throw (RuntimeException) failure;
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
		synchronized (this.engineLock) {
			withdrawn = this.runtimeDatabases.withdraw(database);
			this.removing.begin(database);
		}
		try {
			return this.runtimeDatabases.detach(withdrawn, timeout, flush, whileLeased);
		}
		finally {
			this.removing.end(database);
		}
	}

	/** The paths being registered, from before a missing file's restore until the registration returns. */
	PathReservations reservations() {
		return this.reservations;
	}

	/**
	 * A database's replicas while it is registered, or being registered (not listed yet).
	 * @param database the database
	 * @return its replicas, none if it is neither
	 */
	List<Replica> replicas(ReplicatedDatabase database) {
		List<Replica> reserved = this.databases.reserved(database);
		return (reserved != null) ? reserved : this.databases.current().getOrDefault(database, List.of());
	}

	/**
	 * See {@link Litestream#start()}. Holds the engine's lock only to begin and to open: taking
	 * the leases, reading the replicas and waiting for the previous run's snapshot run outside it
	 * ({@link EngineStart#prepare}), so that registrations, removals, a stop and a close do not
	 * wait for them. Meanwhile a second start waits for this one; a database registered is
	 * prepared and opened by this start, as one registered before it; a stop or close gives it
	 * up (it then fails, having opened nothing, and gives up its leases itself).
	 */
	void start() throws IOException {
		synchronized (this.engineLock) {
			this.start.awaitEnd();
			if (this.running) {
				return;
			}
			this.start.begin();
		}
		Set<ReplicatedDatabase> prepared = new HashSet<>();
		boolean first = true;
		try {
			while (true) {
				Map<ReplicatedDatabase, List<Replica>> next = new LinkedHashMap<>();
				synchronized (this.engineLock) {
					this.start.requireNotGivenUp();
					this.databases.current().forEach((database, replicas) -> {
						if (!prepared.contains(database)) {
							next.put(database, replicas);
						}
					});
					if (first || !next.isEmpty()) {
						// Again for those registered meanwhile: before they are opened or replicated.
						this.callbacks.starting();
						first = false;
					}
					if (next.isEmpty()) {
						begin();
						this.start.end();
						return;
					}
				}
				prepared.addAll(next.keySet());
				this.start.prepare(next, (database) -> this.databases.current().containsKey(database));
			}
		}
		catch (IOException | RuntimeException | Error ex) {
			synchronized (this.engineLock) {
				// Only stopped, the engine keeps its leases for its close (see EngineStart#fail).
				this.start.fail(this.closed || this.shutdownDeadline == null);
			}
			throw ex;
		}
	}

	/**
	 * Opens the prepared databases and starts the threads, under the engine's lock. If that fails
	 * (an error creating a thread, say), nothing of it stays open or running, and the start fails
	 * as one that opened nothing: its leases are given up, and the previous run's too.
	 */
	private void begin() throws IOException {
		EngineStart.open(this.databases.current().keySet());
		EngineThreads threads = this.lanes.threads();
		try {
			this.shutdownDeadline = null;
			this.closed = false;
			this.lanes.open();
			this.databases.current().forEach(this.lanes::start);
			this.starts++;
			this.leases.startRenewing(threads.replica());
			this.running = true;
		}
		catch (RuntimeException | Error ex) {
			this.running = false;
			this.start.leasesGivenUpBy(EngineStart.undo(this.lanes, this.databases.current().keySet()));
			throw ex;
		}
		logger.info("Replicating {} database(s) to {} replica(s) on {} capture and {} replica thread(s)",
				this.databases.current().size(), this.lanes.replicaCount(), threads.capture(), threads.replica());
	}

	/** See {@link Litestream#stop(Duration)}; under the engine's lock. */
	boolean stop(Duration timeout) {
		if (!this.running) {
			this.start.giveUp("stopped");
			return true;
		}
		this.running = false;
		this.summary.stopBegan(this.databases.current().size());
		Instant deadline = this.clock.instant().plus(timeout);
		boolean flushed = this.lanes.stopAndFlush(deadline);
		this.shutdownDeadline = deadline;
		if (!flushed) {
			logger.warn("Shutdown flush did not reach every replica within {}; the rest stays in the local "
					+ "shadow WAL and is shipped at the next start", timeout);
		}
		return flushed;
	}

	/** See {@link Litestream#close()}; under the engine's lock. */
	void close() {
		boolean closedBefore = this.closed;
		this.closed = true;
		// Its leases are its own to give up, once the step it is in (a store's answer) ends.
		boolean starting = this.start.giveUp("closed");
		if (this.running) {
			stop(CLOSE_TIMEOUT);
		}
		Set<ReplicatedDatabase> stillRemoving = this.removing.awaitAll();
		if (!stillRemoving.isEmpty()) {
			// Their leases are theirs to release (the keeper leaves them alone), and a flush of
			// theirs that the closed threads cannot run counts as not flushed.
			logger.warn("The removal of {} was still under way when close stopped waiting (a slow store); without the "
					+ "engine's threads and lease renewals, it stops before its next generation deletion and says what "
					+ "is left", stillRemoving.stream().map(ReplicatedDatabase::path).toList());
		}
		// A start under way has opened nothing, but a run before it that was only stopped may still
		// ship: its commits and its steps are dealt with as without that start.
		boolean idle = (starting && closedBefore) || (this.shutdownDeadline == null)
				|| this.lanes.shipCommitsAfterStop(this.shutdownDeadline);
		long behind = (this.shutdownDeadline != null) ? this.lanes.databasesBehind() : 0;
		int leases = 0;
		if (starting) {
			// The start gives them up (see above), once this close has ended and the store it waits
			// for answered: until then they are not renewed, so that they expire if it never does.
			this.start.leasesGivenUpBy(idle);
			this.leases.stopRenewals();
		}
		else if (idle) {
			// After the last write: the next instance may take the replicas at once.
			leases = this.leases.releaseAll();
		}
		else {
			logger.warn("A replica step was still running at close (a slow store); it writes nothing more, and the "
					+ "leases expire after their ttl instead of being released, so that no other instance writes "
					+ "while its last write may land");
			leases = this.leases.abandonAll();
		}
		for (ReplicatedDatabase database : this.databases.current().keySet()) {
			if (idle) {
				database.close();
			}
			else {
				// Past the shutdown's deadline a snapshot still reading the file is not waited for,
				// one database after another: these connections close once it has ended.
				database.close(Duration.ZERO);
			}
		}
		this.lanes.close();
		this.summary.closed(behind, leases, idle);
	}

	boolean running() {
		return this.running;
	}

	/** The removals a close waits for, and those it stopped waiting for. */
	Removals removals() {
		return this.removing;
	}

	/** Whether {@link #close()} ran since the last start: nothing is replicated, nobody waits. */
	boolean closed() {
		return this.closed;
	}

}
