package io.github.litestream.replica.s3;

import java.io.IOException;

/**
 * An S3 request failed for a reason the user can fix; the message names the replica, the
 * bucket, the key or prefix and the setting to change. The {@link #reason()} lets health
 * checks and failure analysis tell the causes apart without parsing messages.
 */
public class S3ReplicaException extends IOException {

	private final Reason reason;

	/**
	 * Creates a new exception.
	 * @param reason the kind of failure
	 * @param message what failed and how to fix it
	 * @param cause the SDK's exception
	 */
	public S3ReplicaException(Reason reason, String message, Throwable cause) {
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
	 * Why an S3 request failed.
	 */
	public enum Reason {

		/** The access key is unknown, the secret does not match it, or no credentials were found. */
		INVALID_CREDENTIALS,

		/** The credentials are valid but not allowed to touch the bucket or prefix. */
		ACCESS_DENIED,

		/** The bucket does not exist. */
		NO_SUCH_BUCKET,

		/** The store could not be reached at all (connection refused, DNS, TLS, timeout). */
		UNREACHABLE,

		/** Anything else the store reported. */
		OTHER

	}

}
