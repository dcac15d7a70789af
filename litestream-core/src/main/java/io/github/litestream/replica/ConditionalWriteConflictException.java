package io.github.litestream.replica;

import java.io.IOException;

/**
 * Thrown by {@link ConditionalObjects} when a conditional write lost: the object already
 * existed, or it changed since the caller read it. The caller's content is not the current
 * version; a store that keeps versions as separate files (sftp) may have kept it as an older
 * one, which readers never see.
 */
public class ConditionalWriteConflictException extends IOException {

	/**
	 * Creates a new exception.
	 * @param message names the object and the condition that failed
	 */
	public ConditionalWriteConflictException(String message) {
		super(message);
	}

}
