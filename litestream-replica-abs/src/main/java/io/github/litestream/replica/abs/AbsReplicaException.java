package io.github.litestream.replica.abs;

import java.io.IOException;

import org.jspecify.annotations.Nullable;

/**
 * An Azure Blob Storage request failed for a reason the user can fix; the message names the
 * replica, the container, the blob or prefix and the setting to change, never the account key.
 * The {@link #reason()} lets callers tell the causes apart without parsing messages.
 */
public class AbsReplicaException extends IOException {

	private final Reason reason;

	/**
	 * Creates a new exception.
	 * @param reason the kind of failure
	 * @param message what failed and how to fix it
	 * @param cause the SDK's exception
	 */
	public AbsReplicaException(Reason reason, String message, @Nullable Throwable cause) {
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

		/** The account is unknown to the endpoint or the key does not sign for it. */
		INVALID_CREDENTIALS,

		/** The key is valid but the request is not allowed (firewall, disabled shared keys). */
		ACCESS_DENIED,

		/** The container does not exist. */
		NO_SUCH_CONTAINER,

		/** The endpoint could not be reached at all (connection refused, DNS, TLS, timeout). */
		UNREACHABLE,

		/** Anything else the service reported. */
		OTHER

	}

}
