package io.github.litestream.lease;

/**
 * The outcome of one attempt to take a replica's lease ({@link ReplicaLease#tryAcquire()}).
 */
public enum LeaseAttempt {

	/** This instance holds it now. */
	ACQUIRED,

	/** Another instance holds it and may be dead: try again later. */
	WAITING,

	/** Another instance holds it and renewed it while we watched. */
	HELD_BY_LIVE_HOLDER

}
