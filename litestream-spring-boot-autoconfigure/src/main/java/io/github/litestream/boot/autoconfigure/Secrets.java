package io.github.litestream.boot.autoconfigure;

import io.github.litestream.replica.ReplicaUrls;

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

	/**
	 * Hides the password of a URL's user info ({@code sftp://user:password@host/path}).
	 * @param url the URL or {@code null}
	 * @return the URL with {@code ******} for its password
	 */
	static @Nullable String redactUrl(@Nullable String url) {
		return ReplicaUrls.redact(url);
	}

}
