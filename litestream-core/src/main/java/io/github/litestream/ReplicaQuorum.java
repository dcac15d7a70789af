package io.github.litestream;

import java.util.Locale;

/**
 * How many of a database's replicas must hold a commit before a synchronous wait is over.
 */
public enum ReplicaQuorum {

	/** Any one replica: the commit survives the loss of the local disk. */
	ANY,

	/** Every replica of the database: one unreachable replica makes every wait time out. */
	ALL;

	/**
	 * Reads the value of {@code synchronous-replicas}: {@code 1} (or {@code any}) or {@code all}.
	 * @param text the value
	 * @return the quorum
	 * @throws IllegalArgumentException if the value is neither
	 */
	public static ReplicaQuorum parse(String text) {
		return switch (text.trim().toLowerCase(Locale.ROOT)) {
			case "1", "any" -> ANY;
			case "all" -> ALL;
			default -> throw new IllegalArgumentException("'" + text + "' is neither 1 (any one replica) nor all");
		};
	}

	/**
	 * How many replicas of {@code replicas} this quorum needs.
	 * @param replicas how many replicas the database has
	 * @return the number of replicas that must hold a commit
	 */
	int required(int replicas) {
		return (this == ANY) ? Math.min(1, replicas) : replicas;
	}

}
