package io.github.litestream;

import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.replica.Replica;

/**
 * Told when this instance's role for a leased replica changes: it was fenced, or it holds the
 * lease again. Called on the engine's lease thread; must return quickly.
 */
@FunctionalInterface
public interface LeaseListener {

	/**
	 * The role of a replica changed.
	 * @param database the database
	 * @param replica the replica
	 * @param status its lease now
	 */
	void onLeaseChanged(ReplicatedDatabase database, Replica replica, LeaseStatus status);

}
