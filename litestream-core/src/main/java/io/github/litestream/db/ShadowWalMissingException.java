package io.github.litestream.db;

import java.io.IOException;

/**
 * Thrown when a replica asks for shadow WAL that is no longer kept locally; the replica must
 * start over from a new snapshot.
 */
public class ShadowWalMissingException extends IOException {

	/**
	 * Creates a new exception.
	 * @param message what is missing
	 */
	public ShadowWalMissingException(String message) {
		super(message);
	}

}
