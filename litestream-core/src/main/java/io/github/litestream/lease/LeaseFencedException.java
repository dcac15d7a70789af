package io.github.litestream.lease;

/**
 * A write to a replica was refused before it went out: this instance does not hold the
 * replica's lease, or it might have lapsed before the write arrives.
 */
public final class LeaseFencedException extends LeaseException {

	LeaseFencedException(String replica, String location, String reason) {
		super(replica, location, "Not writing to replica '" + replica + "' (" + location + "): " + reason, null);
	}

}
