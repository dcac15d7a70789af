package io.github.litestream.replica.abs;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Function;

import io.github.litestream.replica.ReplicaUrls;
import org.jspecify.annotations.Nullable;

/**
 * Where an Azure Blob Storage replica lives and how to sign in, with Litestream v0.3.14's
 * keys: {@code account-name}, {@code account-key} (or the environment variable
 * {@code LITESTREAM_AZURE_ACCOUNT_KEY}), {@code bucket} (the container), {@code path} and
 * {@code endpoint}, or the URL {@code abs://account@container/path}.
 *
 * <p>The account key is a secret: {@link #toString()}, {@link #location()} and every message
 * built here leave it out.
 */
public final class AbsReplicaConfig {

	/** The environment variable Litestream reads the account key from when the replica sets none. */
	public static final String ACCOUNT_KEY_VARIABLE = "LITESTREAM_AZURE_ACCOUNT_KEY";

	private static final String EXPECTED_URL = "abs://account@container/path";

	private final String accountName;

	private final String accountKey;

	private final String container;

	private final String path;

	private final String endpoint;

	private AbsReplicaConfig(String accountName, String accountKey, String container, String path, String endpoint) {
		this.accountName = accountName;
		this.accountKey = accountKey;
		this.container = container;
		this.path = path;
		this.endpoint = endpoint;
	}

	/**
	 * Starts a configuration.
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Parses {@code abs://account@container/path}; the account is optional (it may come from
	 * {@code account-name}), and so is the path.
	 * @param url the URL
	 * @return its parts
	 * @throws IllegalArgumentException naming the URL and the expected form if it is malformed
	 */
	public static UrlParts parseUrl(String url) {
		if (isBlank(url)) {
			throw new IllegalArgumentException("Azure replica 'url' is empty: expected " + EXPECTED_URL);
		}
		URI uri;
		try {
			uri = new URI(url.trim());
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("Invalid Azure replica url '" + ReplicaUrls.redact(url) + "': "
					+ ex.getReason() + "; expected " + EXPECTED_URL, ex);
		}
		if (!"abs".equalsIgnoreCase(uri.getScheme())) {
			throw new IllegalArgumentException("Invalid Azure replica url '" + ReplicaUrls.redact(url)
					+ "': the scheme must be 'abs'; expected " + EXPECTED_URL);
		}
		String userInfo = uri.getRawUserInfo();
		if ((userInfo != null && userInfo.contains(":")) || uri.getRawQuery() != null || uri.getRawFragment() != null
				|| uri.getPort() != -1) {
			throw new IllegalArgumentException("Invalid Azure replica url '" + ReplicaUrls.redact(url)
					+ "': keys, ports, queries and fragments are not supported (use 'account-key' or "
					+ ACCOUNT_KEY_VARIABLE + ", and 'endpoint'); expected " + EXPECTED_URL);
		}
		String container = uri.getHost();
		if (isBlank(container)) {
			throw new IllegalArgumentException("Invalid Azure replica url '" + ReplicaUrls.redact(url)
					+ "': it names no container; expected " + EXPECTED_URL);
		}
		return new UrlParts(blankToNull(uri.getUserInfo()), container, normalisePath(uri.getPath()));
	}

	/**
	 * The storage account.
	 * @return the account name
	 */
	public String accountName() {
		return this.accountName;
	}

	/**
	 * The account's shared key, base64. A secret: never log it.
	 * @return the key
	 */
	String accountKey() {
		return this.accountKey;
	}

	/**
	 * The container (Litestream's {@code bucket}).
	 * @return the container
	 */
	public String container() {
		return this.container;
	}

	/**
	 * The prefix of every blob name, without leading or trailing slash; empty for the
	 * container's root.
	 * @return the path
	 */
	public String path() {
		return this.path;
	}

	/**
	 * The same container at the container's root, which is all a client of the container
	 * depends on: replicas that differ only in their path (the databases of a directory) share
	 * one.
	 * @return this configuration with an empty path
	 */
	public AbsReplicaConfig atRoot() {
		return this.path.isEmpty() ? this
				: new AbsReplicaConfig(this.accountName, this.accountKey, this.container, "", this.endpoint);
	}

	/**
	 * The Blob service endpoint: the configured one, or
	 * {@code https://<account>.blob.core.windows.net}.
	 * @return the endpoint URL
	 */
	public String endpoint() {
		return this.endpoint;
	}

	/**
	 * Where the replica lives, for logs and the actuator endpoint.
	 * @return {@code abs://account@container/path} (never the key)
	 */
	public String location() {
		return "abs://" + this.accountName + "@" + this.container + (this.path.isEmpty() ? "" : "/" + this.path);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof AbsReplicaConfig that && this.accountName.equals(that.accountName)
				&& this.accountKey.equals(that.accountKey) && this.container.equals(that.container)
				&& this.path.equals(that.path) && this.endpoint.equals(that.endpoint);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.accountName, this.container, this.path, this.endpoint);
	}

	@Override
	public String toString() {
		return "AbsReplicaConfig[location=" + location() + ", endpoint=" + this.endpoint + ", accountKey=******]";
	}

	private static String normalisePath(@Nullable String path) {
		if (path == null) {
			return "";
		}
		String trimmed = path.trim();
		int start = 0;
		int end = trimmed.length();
		while (start < end && trimmed.charAt(start) == '/') {
			start++;
		}
		while (end > start && trimmed.charAt(end - 1) == '/') {
			end--;
		}
		return trimmed.substring(start, end);
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return isBlank(value) ? null : value.trim();
	}

	private static boolean isBlank(@Nullable String value) {
		return value == null || value.isBlank();
	}

	/**
	 * The parts of an {@code abs://} URL.
	 *
	 * @param accountName the account before the {@code @}, or {@code null}
	 * @param container the container
	 * @param path the blob name prefix, without leading or trailing slash
	 */
	public record UrlParts(@Nullable String accountName, String container, String path) {
	}

	/**
	 * Builds a configuration the way Litestream does: keys set explicitly win over the URL's
	 * parts, and the account key falls back to {@value #ACCOUNT_KEY_VARIABLE}.
	 */
	public static final class Builder {

		private @Nullable String url;

		private @Nullable String accountName;

		private @Nullable String accountKey;

		private @Nullable String container;

		private @Nullable String path;

		private @Nullable String endpoint;

		private Function<String, @Nullable String> environment = System::getenv;

		private Builder() {
		}

		/**
		 * Sets the URL {@code abs://account@container/path}.
		 * @param url the URL, or {@code null}
		 * @return this builder
		 */
		public Builder url(@Nullable String url) {
			this.url = url;
			return this;
		}

		/**
		 * Sets the storage account.
		 * @param accountName the account, or {@code null} to take it from the URL
		 * @return this builder
		 */
		public Builder accountName(@Nullable String accountName) {
			this.accountName = accountName;
			return this;
		}

		/**
		 * Sets the account's shared key.
		 * @param accountKey the base64 key, or {@code null} for {@value #ACCOUNT_KEY_VARIABLE}
		 * @return this builder
		 */
		public Builder accountKey(@Nullable String accountKey) {
			this.accountKey = accountKey;
			return this;
		}

		/**
		 * Sets the container (Litestream's {@code bucket}).
		 * @param container the container, or {@code null} to take it from the URL
		 * @return this builder
		 */
		public Builder container(@Nullable String container) {
			this.container = container;
			return this;
		}

		/**
		 * Sets the blob name prefix; slashes around it are removed.
		 * @param path the path, or {@code null} to take it from the URL
		 * @return this builder
		 */
		public Builder path(@Nullable String path) {
			this.path = path;
			return this;
		}

		/**
		 * Sets the Blob service endpoint, such as Azurite's {@code http://127.0.0.1:10000/devstoreaccount1}.
		 * @param endpoint the endpoint, or {@code null} for Azure's public cloud
		 * @return this builder
		 */
		public Builder endpoint(@Nullable String endpoint) {
			this.endpoint = endpoint;
			return this;
		}

		/**
		 * Sets where environment variables are read (tests pass a map's getter).
		 * @param environment variable name to value
		 * @return this builder
		 */
		public Builder environment(Function<String, @Nullable String> environment) {
			this.environment = environment;
			return this;
		}

		/**
		 * Builds the configuration.
		 * @return the configuration
		 * @throws IllegalArgumentException naming the key to set or fix
		 */
		public AbsReplicaConfig build() {
			String name = blankToNull(this.accountName);
			String bucket = blankToNull(this.container);
			String prefix = this.path;
			if (!isBlank(this.url)) {
				UrlParts parts = parseUrl(this.url);
				name = (name != null) ? name : parts.accountName();
				bucket = (bucket != null) ? bucket : parts.container();
				prefix = (prefix != null) ? prefix : parts.path();
			}
			if (bucket == null) {
				throw new IllegalArgumentException(
						"An Azure replica needs a container: set 'bucket', or 'url' to " + EXPECTED_URL);
			}
			if (name == null) {
				throw new IllegalArgumentException("Azure replica of container '" + bucket
						+ "' needs a storage account: set 'account-name', or 'url' to " + EXPECTED_URL);
			}
			String key = blankToNull(this.accountKey);
			if (key == null) {
				key = blankToNull(this.environment.apply(ACCOUNT_KEY_VARIABLE));
			}
			if (key == null) {
				throw new IllegalArgumentException("Azure replica abs://" + name + "@" + bucket
						+ " needs the account's key: set 'account-key' or the environment variable "
						+ ACCOUNT_KEY_VARIABLE);
			}
			try {
				Base64.getDecoder().decode(key);
			}
			catch (IllegalArgumentException ex) {
				// Not chained: the decoder's message may quote part of the key.
				throw new IllegalArgumentException("The 'account-key' of Azure replica abs://" + name + "@" + bucket
						+ " is not base64; copy the key of storage account '" + name + "' again (it ends with '==')");
			}
			return new AbsReplicaConfig(name, key, bucket, normalisePath(prefix), resolveEndpoint(name));
		}

		private String resolveEndpoint(String name) {
			String configured = blankToNull(this.endpoint);
			if (configured == null) {
				return "https://" + name + ".blob.core.windows.net";
			}
			String withScheme = configured.contains("://") ? configured : "https://" + configured;
			try {
				URI uri = new URI(withScheme);
				if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
					throw new URISyntaxException(configured, "no http(s) host");
				}
			}
			catch (URISyntaxException ex) {
				throw new IllegalArgumentException("Invalid Azure replica 'endpoint' '" + configured
						+ "': expected a URL such as https://" + name + ".blob.core.windows.net or "
						+ "http://127.0.0.1:10000/devstoreaccount1 (Azurite)", ex);
			}
			return withScheme.endsWith("/") ? withScheme.substring(0, withScheme.length() - 1) : withScheme;
		}

	}

}
