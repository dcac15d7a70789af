package io.github.litestream.lease;

/**
 * What an instance is for one replica.
 */
public enum LeaseRole {

	/** It holds the replica's lease and writes to it. */
	PRIMARY,

	/** It lost the lease (or could not renew it) and writes nothing until it holds it again. */
	FENCED,

	/** It has not taken the lease yet, or released it at a clean stop. */
	NONE

}
