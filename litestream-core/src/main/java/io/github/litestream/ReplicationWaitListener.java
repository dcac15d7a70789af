package io.github.litestream;

import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;

/**
 * Told about synchronous waits, for metrics. Called on the waiting thread or a replica's
 * thread: must be quick and must not throw.
 */
public interface ReplicationWaitListener {

	/**
	 * A wait ended.
	 * @param database the database waited on
	 * @param wait how it ended and how long it took
	 */
	default void onWait(ReplicatedDatabase database, ReplicationWait wait) {
	}

	/**
	 * A replica stored one copy of the WAL that served several waits at once.
	 * @param replica the replica
	 * @param waits how many waits the one upload served
	 */
	default void onGroup(Replica replica, long waits) {
	}

}
