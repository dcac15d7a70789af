package io.github.litestream;

import java.util.List;

import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leased replica of a {@link LeaseKeeper}: its database, its lease and its database's file
 * comparison. The keeper reads and sets the fields, and runs its renewals; nothing else does.
 */
final class Leased {

	// The keeper's category, where its renewal failures were always logged.
	private static final Logger logger = LoggerFactory.getLogger(LeaseKeeper.class);

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

	/**
	 * Renews the lease, on a renewal thread (see {@link LeaseKeeper}), and tells the listeners if
	 * its role changed or it was lost.
	 */
	void renew(List<LeaseListener> listeners) {
		try {
			LeaseStatus before = this.lease.status();
			boolean neverHeld = this.lease.acquisitions() == 0;
			this.lease.renew();
			if (neverHeld) {
				// Taken at last (the store did not answer at start): its first write may wait.
				this.guard.leaseTaken(this.lease);
			}
			LeaseStatus status = this.lease.status();
			// Lost counts too: a holder whose write window ended (a pause, a partition) is fenced
			// before it learns that another instance took the lease, with no change of role.
			if (before.role() != status.role() || before.lost() != status.lost()) {
				listeners.forEach((listener) -> listener.onLeaseChanged(this.database, this.replica, status));
			}
		}
		catch (RuntimeException ex) {
			// A scheduled task that throws is never run again: the lease would lapse silently.
			logger.warn("Lease renewal of replica '{}' failed: {}", this.replica.name(), ex.toString());
		}
	}

}
