package io.github.litestream;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
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
 * Adds databases to an engine and removes them while it runs (for a {@link DatabaseRegistry}):
 * a database added is leased, checked, opened and started at once, or not registered at all; a
 * database removed stops its lanes, optionally after a last flush, and gives up its leases and
 * its connections. What may wait for a store runs outside the engine's lock, so that one slow or
 * unreachable store holds up its own database only: a database added is reserved under the lock
 * ({@link #join}), leased and checked outside it ({@link #prepare}), then opened and started
 * under it ({@link #start}); one removed is withdrawn under it ({@link #withdraw}) and stopped
 * outside it ({@link #detach}).
 */
final class RuntimeDatabases {

	private static final Logger logger = LoggerFactory.getLogger(RuntimeDatabases.class);

	private final RegisteredDatabases databases;

	private final ReplicationLanes lanes;

	private final LeaseKeeper leases;

	private final EngineCallbacks callbacks;

	RuntimeDatabases(RegisteredDatabases databases, ReplicationLanes lanes, LeaseKeeper leases,
			EngineCallbacks callbacks) {
		this.databases = databases;
		this.lanes = lanes;
		this.leases = leases;
		this.callbacks = callbacks;
	}

	/**
	 * Registers a database while the engine does not run: it opens at the next start.
	 * @param beforeLease runs at once (the leases are taken at the start), or {@code null}; if it throws, nothing
	 * stays registered
	 * @param fileCheck when its existing file is compared with its replicas, or {@code null} for
	 * the default (see {@link FileCheck})
	 */
	ReplicatedDatabase add(DatabaseOptions options, LeaseOptions lease, List<ReplicationTarget> targets,
			@Nullable Consumer<ReplicatedDatabase> beforeLease, DatabaseRegistry.@Nullable LeasedCheck underLease,
			@Nullable FileCheck fileCheck) {
		if (underLease != null) {
			throw new IllegalStateException("A database checked under its leases is registered with a running engine");
		}
		ReplicatedDatabase database = this.databases.add(options, lease, targets);
		try {
			if (fileCheck != null) {
				this.leases.guards().check(database, fileCheck);
			}
			if (beforeLease != null) {
				beforeLease.accept(database);
			}
		}
		catch (RuntimeException ex) {
			// A hand-over refused (another instance took a lease after the restore): the next start
			// must not open it, and its path stays free for a registration again.
			database.close();
			this.leases.release(database);
			this.databases.remove(database);
			throw ex;
		}
		return database;
	}

	/**
	 * Reserves a database registered while the engine runs, under the engine's lock: its path and
	 * replica locations are taken, but nothing else sees it (see {@link RegisteredDatabases#reserve})
	 * until {@link #start}, and its leases are its registration's ({@link LeaseKeeper#joining}).
	 */
	ReplicatedDatabase join(DatabaseOptions options, LeaseOptions lease, List<ReplicationTarget> targets,
			@Nullable FileCheck fileCheck) {
		ReplicatedDatabase database = this.databases.reserve(options, lease, targets);
		if (fileCheck != null) {
			this.leases.guards().check(database, fileCheck);
		}
		this.leases.joining(database);
		return database;
	}

	/**
	 * Takes a reserved database's leases and checks it against its replicas, outside the engine's
	 * lock: each may wait for a store (up to a lease's ttl, or a request's timeout), and other
	 * databases' registrations, removals and the engine's close must not wait for it.
	 * @param beforeLease runs once, right before the leases are taken, or {@code null}
	 * @param underLease runs once the leases are taken, or {@code null}
	 * @throws IOException if a lease is refused, or {@code underLease} refused it (it is then
	 * not registered, and its leases are given up)
	 */
	void prepare(ReplicatedDatabase database, @Nullable Consumer<ReplicatedDatabase> beforeLease,
			DatabaseRegistry.@Nullable LeasedCheck underLease) throws IOException {
		try {
			if (beforeLease != null) {
				beforeLease.accept(database);
			}
			// Before anything changes its local state: where it stood is compared with the replicas.
			this.leases.guards().capture(database);
			this.leases.acquire(database);
			if (underLease != null) {
				underLease.check(database);
			}
			ContinuationCheck.run(database, this.databases.reserved(database));
		}
		catch (IOException | RuntimeException ex) {
			fail(database, false);
			throw ex;
		}
	}

	/**
	 * Lists a {@link #prepare prepared} database, opens it and starts replicating it, under the
	 * engine's lock. If it cannot be opened, it is taken out again, and the caller must
	 * {@link #fail} it outside the lock.
	 * @throws IOException if it cannot be opened
	 */
	void start(ReplicatedDatabase database) throws IOException {
		this.databases.list(database);
		this.leases.joined(database);
		try {
			this.callbacks.starting();
			database.open();
		}
		catch (IOException | RuntimeException ex) {
			database.close();
			// Its path stays taken, and its leases apart from a close's, until fail() gave them up.
			this.databases.withdraw(database);
			this.leases.withdraw(database);
			throw ex;
		}
		this.lanes.start(database, this.databases.current().get(database));
	}

	/**
	 * Ends a registration that failed, outside the engine's lock: gives up the database's leases
	 * (a lease whose first write still waits for a previous holder's is left to expire), then
	 * frees its path.
	 * @param listed whether it was listed, and the starting callbacks saw it
	 */
	void fail(ReplicatedDatabase database, boolean listed) {
		database.close();
		this.leases.release(database);
		if (listed) {
			// The starting callbacks may have attached something to it (meters).
			this.callbacks.removed(database);
			this.databases.release(database);
		}
		else {
			this.databases.remove(database);
		}
	}

	/**
	 * Takes a database out of the engine, under the engine's lock and without waiting: start,
	 * stop and close no longer see it, and its path and replica locations stay taken (a new
	 * registration there is refused) until {@link #detach} has ended.
	 * @return what {@link #detach} needs, outside the lock
	 */
	Withdrawn withdraw(ReplicatedDatabase database) {
		List<Replica> replicas = this.databases.current().get(database);
		if (replicas == null) {
			throw new IllegalStateException("Database " + database.path() + " is not replicated (unregistered "
					+ "already, or being unregistered)");
		}
		ReplicationLanes.Withdrawn lanes = this.lanes.withdraw(database, replicas);
		this.databases.withdraw(database);
		this.leases.withdraw(database);
		return new Withdrawn(database, lanes);
	}

	/**
	 * Stops replicating a withdrawn database (see {@link ReplicationLanes#stop}), then closes its
	 * engine connections; its replica clients stay open for the caller to close. Runs outside
	 * the engine's lock: the flush and {@code whileLeased} may take a store's time, and other
	 * databases' registrations must not wait for them.
	 * @return {@code true} if every replica received every committed change
	 */
	<E extends Exception> boolean detach(Withdrawn withdrawn, Duration timeout, boolean flush,
			WhileLeased<E> whileLeased) throws E {
		ReplicatedDatabase database = withdrawn.database();
		ReplicationLanes.Stopped stopped = null;
		try {
			stopped = this.lanes.stop(withdrawn.lanes(), timeout, flush);
			if (stopped.idle()) {
				whileLeased.run();
			}
		}
		finally {
			// Even if stopping failed (the engine closed meanwhile): a withdrawn database that is
			// never released would keep its path refused for good.
			if (stopped != null && stopped.idle()) {
				this.leases.release(database);
				database.close();
			}
			else {
				// A write may still land: the next instance waits for the leases to expire.
				this.leases.abandon(database);
				// The caller's timeout is over: a snapshot still reading the file is not waited for
				// (the connections close once it has ended).
				database.close(Duration.ZERO);
			}
			this.callbacks.removed(database);
			// Last: the path may be registered again only once nothing of this one remains open but
			// the connections a snapshot still under way keeps (they close when it ends).
			this.databases.release(database);
		}
		if (!stopped.flushed()) {
			logger.warn("Replication of {} stopped before every replica received every commit; the rest stays in "
					+ "its local shadow WAL", database.path());
		}
		return stopped.flushed();
	}

	/**
	 * A database taken out of the engine, whose replication still has to stop.
	 * @param database the database
	 * @param lanes its lanes
	 */
	record Withdrawn(ReplicatedDatabase database, ReplicationLanes.Withdrawn lanes) {
	}

	/**
	 * What runs after a database's replicas stopped and before their leases are released.
	 * @param <E> what it may throw
	 */
	@FunctionalInterface
	interface WhileLeased<E extends Exception> {

		void run() throws E;

	}

}
