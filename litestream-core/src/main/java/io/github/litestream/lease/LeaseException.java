package io.github.litestream.lease;

import java.io.IOException;

/**
 * A replica's lease kept this instance from writing to it; names the replica.
 */
public abstract class LeaseException extends IOException {

	private final String replica;

	private final String location;

	LeaseException(String replica, String location, String message, Throwable cause) {
		super(message, cause);
		this.replica = replica;
		this.location = location;
	}

	/**
	 * The replica's name.
	 * @return the name
	 */
	public String replica() {
		return this.replica;
	}

	/**
	 * Where the replica lives (no credentials).
	 * @return its location
	 */
	public String location() {
		return this.location;
	}

}
