package io.github.litestream.lease;

/**
 * A replica's store cannot keep a lease: its backend has no conditional writes, or the store
 * accepted a conditional write that it should have refused (some S3-compatible stores ignore
 * {@code If-None-Match} and {@code If-Match}).
 */
public final class LeaseUnsupportedException extends LeaseException {

	LeaseUnsupportedException(String replica, String location, String problem, Throwable cause) {
		super(replica, location, "Replica '" + replica + "' (" + location + ") cannot keep a lease: " + problem, cause);
	}

}
