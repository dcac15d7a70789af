package io.github.litestream.lease;

/**
 * Another live instance holds a replica's lease: this one must not write to the replica.
 */
public final class LeaseHeldException extends LeaseException {

	private final LeaseRecord holder;

	LeaseHeldException(String replica, String location, LeaseRecord holder) {
		super(replica, location, "Replica '" + replica + "' (" + location + ") is leased to " + holder.holder()
				+ ", epoch " + holder.epoch() + ", until " + holder.expiresAt() + " (renewed while we watched)", null);
		this.holder = holder;
	}

	/**
	 * The lease as its holder last wrote it.
	 * @return the record
	 */
	public LeaseRecord holder() {
		return this.holder;
	}

}
