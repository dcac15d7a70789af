package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
 * which its synchronized methods hold when they call in here and which registrations take here
 * (others may hold it to keep the engine busy), but for the stopping of a database already
 * withdrawn, which may wait for a store.
 */
final class EngineLifecycle {

	// The engine's category, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(Litestream.class);

	/** The engine's lock: its monitor. */
	private final Object engineLock;

	private final RegisteredDatabases databases;

	private final ReplicationLanes lanes;

	private final LeaseKeeper leases;

	private final RuntimeDatabases runtimeDatabases;

	private final List<Runnable> startingCallbacks;

	private final Clock clock;

	/** Set by {@link #close()}: from then on nothing is replicated and nobody waits. */
	private volatile boolean closed;

	private volatile boolean running;

	/** When the last {@link #stop(Duration)}'s timeout ends, or {@code null} before any. */
	private Instant shutdownDeadline;

	EngineLifecycle(Object engineLock, RegisteredDatabases databases, ReplicationLanes lanes, LeaseKeeper leases,
			RuntimeDatabases runtimeDatabases, List<Runnable> startingCallbacks, Clock clock) {
		this.engineLock = engineLock;
		this.databases = databases;
		this.lanes = lanes;
		this.leases = leases;
		this.runtimeDatabases = runtimeDatabases;
		this.startingCallbacks = startingCallbacks;
		this.clock = clock;
	}

	/**
	 * Registers a database and, when the engine runs, opens it and starts replicating it at once
	 * (see {@link RuntimeDatabases#attach}).
	 * @throws IOException if it cannot be opened (it is then not registered)
	 */
	ReplicatedDatabase attach(DatabaseOptions options, LeaseOptions lease, List<ReplicationTarget> targets,
			Runnable beforeLease, DatabaseRegistry.@Nullable LeasedCheck underLease) throws IOException {
		synchronized (this.engineLock) {
			if (!this.running && this.shutdownDeadline != null) {
				// Registered now, it would open only at a next start: its commits would reach no
				// replica, not even in the shutdown's final flush.
				throw new IllegalStateException("Cannot start replicating " + options.path()
						+ ": the engine is shutting down (stopped, not started again)");
			}
			return this.runtimeDatabases.attach(options, lease, targets, this.running, beforeLease, underLease);
		}
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

	/** See {@link Litestream#start()}; under the engine's lock. */
	void start() throws IOException {
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

	/** See {@link Litestream#stop(Duration)}; under the engine's lock. */
	boolean stop(Duration timeout) {
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

	/** See {@link Litestream#close()}; under the engine's lock. */
	void close() {
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

	boolean running() {
		return this.running;
	}

	/** Whether {@link #close()} ran since the last start: nothing is replicated, nobody waits. */
	boolean closed() {
		return this.closed;
	}

}
