package io.github.litestream;

import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.Replica;

/**
 * One leased replica of a {@link LeaseKeeper}: its database, its lease and its database's file
 * comparison. The keeper reads and sets the fields; nothing else does.
 */
final class Leased {

	final ReplicatedDatabase database;

	final Replica replica;

	final ReplicaLease lease;

	/** Held around this lease's acquisition, release and abandonment: one at a time, in order. */
	final Object calls = new Object();

	/** Its database's file comparison. */
	final StaleFileGuard guard;

	/**
	 * Set under the keeper's lock once its database is removed, or its file found stale: never
	 * acquired or renewed again.
	 */
	volatile boolean gone;

	/**
	 * Set under the engine's lock while its database is being registered and the engine runs:
	 * its registration takes it and gives it up if it fails; a start, a close and the start of
	 * the renewals leave it alone (see {@link LeaseKeeper#joining}).
	 */
	volatile boolean joining;

	Leased(ReplicatedDatabase database, Replica replica, ReplicaLease lease, StaleFileGuard guard) {
		this.database = database;
		this.replica = replica;
		this.lease = lease;
		this.guard = guard;
	}

}
