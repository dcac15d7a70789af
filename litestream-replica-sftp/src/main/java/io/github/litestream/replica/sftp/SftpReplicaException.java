package io.github.litestream.replica.sftp;

import java.io.IOException;

import org.jspecify.annotations.Nullable;

/**
 * An SFTP replica failed for a reason the user can fix; the message names the replica, the
 * remote path when there is one, and the setting to change. It never holds the password or
 * the private key. The {@link #reason()} lets callers tell the causes apart without parsing
 * messages.
 */
public class SftpReplicaException extends IOException {

	private final Reason reason;

	/**
	 * Creates a new exception.
	 * @param reason the kind of failure
	 * @param message what failed and how to fix it
	 * @param cause the underlying exception, or {@code null}
	 */
	public SftpReplicaException(Reason reason, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.reason = reason;
	}

	/**
	 * The kind of failure.
	 * @return the reason
	 */
	public Reason reason() {
		return this.reason;
	}

	/**
	 * Why an SFTP replica failed.
	 */
	public enum Reason {

		/** The server's host key is not the expected one (unknown, changed, or not pinned). */
		HOST_KEY_REJECTED,

		/** The server rejected the user with the configured password and key. */
		AUTHENTICATION_FAILED,

		/** The private key file cannot be read or parsed. */
		BAD_KEY_FILE,

		/** The user may not read or write the replica's path. */
		PERMISSION_DENIED,

		/** The server could not be reached, or the connection broke (and retries did too). */
		UNREACHABLE,

		/** Anything else the server reported. */
		OTHER

	}

}
