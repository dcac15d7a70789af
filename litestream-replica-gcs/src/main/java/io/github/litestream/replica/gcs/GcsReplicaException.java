package io.github.litestream.replica.gcs;

import java.io.IOException;

import org.jspecify.annotations.Nullable;

/**
 * A Google Cloud Storage request failed for a reason the user can fix; the message names the
 * replica, the bucket, the object or prefix and what to change. The {@link #reason()} lets
 * callers tell the causes apart without parsing messages.
 */
public class GcsReplicaException extends IOException {

	private final Reason reason;

	/**
	 * Creates a new exception.
	 * @param reason the kind of failure
	 * @param message what failed and how to fix it
	 * @param cause the client's exception
	 */
	public GcsReplicaException(Reason reason, String message, @Nullable Throwable cause) {
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
	 * Why a request failed.
	 */
	public enum Reason {

		/** No application-default credentials, or they were rejected. */
		INVALID_CREDENTIALS,

		/** The credentials are valid but lack a permission on the bucket. */
		ACCESS_DENIED,

		/** The bucket does not exist. */
		NO_SUCH_BUCKET,

		/**
		 * A resumable upload's session expired or was cancelled before the upload completed:
		 * nothing was written, and the next attempt uploads the object again.
		 */
		UPLOAD_SESSION_LOST,

		/** The service could not be reached at all (connection refused, DNS, TLS, timeout). */
		UNREACHABLE,

		/** Anything else the service reported. */
		OTHER

	}

}
