package io.github.litestream.age;

import java.io.IOException;

/**
 * An age file that cannot be decrypted, and why: the {@link Kind} separates a key problem
 * (no identity matched) from a damaged or forged file.
 */
public final class AgeException extends IOException {

	private final Kind kind;

	AgeException(Kind kind, String message) {
		super(message);
		this.kind = kind;
	}

	AgeException(Kind kind, String message, Throwable cause) {
		super(message, cause);
		this.kind = kind;
	}

	/**
	 * The same failure, its message prefixed with where it happened.
	 * @param context such as the object's key and the replica
	 * @return a new exception of the same kind, caused by this one
	 */
	public AgeException in(String context) {
		return new AgeException(this.kind, context + ": " + getMessage(), this);
	}

	/**
	 * What went wrong.
	 * @return the kind of failure
	 */
	public Kind kind() {
		return this.kind;
	}

	/** The kinds of failure, as the age specification's test vectors name them. */
	public enum Kind {

		/** The header is not a valid age v1 header (or the payload nonce is missing). */
		HEADER,

		/** The header is valid, but none of the identities unwraps any of its stanzas. */
		NO_MATCH,

		/** A file key was unwrapped, but the header's MAC does not match: forged or damaged. */
		MAC,

		/** The encrypted payload is truncated, altered or has trailing bytes. */
		PAYLOAD

	}

}
