package io.github.litestream.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * Keeps credentials out of logs and {@code toString()}.
 */
final class Secrets {

	private Secrets() {
	}

	/**
	 * Says whether a secret is set without revealing it.
	 * @param secret the secret or {@code null}
	 * @return {@code null}, or {@code "******"}
	 */
	static @Nullable String redact(@Nullable String secret) {
		return (secret != null) ? "******" : null;
	}

}
