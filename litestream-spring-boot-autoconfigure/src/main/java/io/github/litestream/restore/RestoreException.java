package io.github.litestream.restore;

import java.io.IOException;

/**
 * Why a restore failed. Every message names the replica, the object or position involved and
 * what the user can do about it; nothing is ever left at the output path when it is thrown.
 */
public class RestoreException extends IOException {

	/**
	 * Creates a new exception.
	 * @param message what failed, where, and the fix
	 */
	public RestoreException(String message) {
		super(message);
	}

	/**
	 * Creates a new exception.
	 * @param message what failed, where, and the fix
	 * @param cause the underlying failure
	 */
	public RestoreException(String message, Throwable cause) {
		super(message, cause);
	}

}
