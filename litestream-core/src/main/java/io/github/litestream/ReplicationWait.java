package io.github.litestream;

import java.time.Duration;

/**
 * The outcome of waiting for a database's commits to reach its replicas
 * ({@link Litestream#awaitReplicated}).
 *
 * @param outcome what happened
 * @param waited how long the caller waited
 * @param stored how many replicas hold every commit made before the wait began
 * @param required how many the quorum asked for
 */
public record ReplicationWait(Outcome outcome, Duration waited, int stored, int required) {

	/**
	 * Whether every commit made before the wait began is stored in enough replicas.
	 * @return {@code true} if it is
	 */
	public boolean replicated() {
		return this.outcome == Outcome.REPLICATED;
	}

	/**
	 * What a wait ended with.
	 */
	public enum Outcome {

		/** Enough replicas hold the commits. */
		REPLICATED,

		/**
		 * The timeout passed first (a replica is slow or unreachable). The commits are safe on
		 * the local disk and are still shipped.
		 */
		TIMED_OUT,

		/**
		 * The waiting thread was interrupted before enough replicas held the commits (its
		 * interrupt flag is set again). The commits are safe on the local disk and are still
		 * shipped.
		 */
		INTERRUPTED,

		/**
		 * Replication is not running (before the engine starts, such as schema migrations at
		 * startup, or after it closed): nothing was waited for. Commits made before the start
		 * are shipped when it starts.
		 */
		NOT_REPLICATING

	}

}
