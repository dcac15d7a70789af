package io.github.litestream.lease;

/**
 * A write to a replica was refused before it went out: this instance does not hold the
 * replica's lease, or it might have lapsed before the write arrives, or the database must not
 * be replicated (its file is stale).
 */
public final class LeaseFencedException extends LeaseException {

	/**
	 * Creates the refusal of a write.
	 * @param replica the replica's name
	 * @param location where it lives (no credentials)
	 * @param reason why this instance must not write to it now
	 */
	public LeaseFencedException(String replica, String location, String reason) {
		super(replica, location, "Not writing to replica '" + replica + "' (" + location + "): " + reason, null);
	}

}
