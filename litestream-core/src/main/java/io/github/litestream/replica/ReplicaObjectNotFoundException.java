package io.github.litestream.replica;

import java.io.IOException;

/**
 * Thrown by every {@link ReplicaClient} when an object it was asked to read does not exist,
 * whatever the backend calls that condition.
 */
public class ReplicaObjectNotFoundException extends IOException {

	/**
	 * Creates a new exception.
	 * @param message names the missing object
	 */
	public ReplicaObjectNotFoundException(String message) {
		super(message);
	}

}
