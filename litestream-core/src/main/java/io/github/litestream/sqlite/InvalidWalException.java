package io.github.litestream.sqlite;

/**
 * Thrown when bytes that should be a SQLite WAL are not one.
 */
public class InvalidWalException extends RuntimeException {

	/**
	 * Creates a new exception.
	 * @param message what is wrong
	 */
	public InvalidWalException(String message) {
		super(message);
	}

}
