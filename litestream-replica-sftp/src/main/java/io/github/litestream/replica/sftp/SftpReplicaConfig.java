package io.github.litestream.replica.sftp;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.github.litestream.replica.ReplicaUrls;
import org.jspecify.annotations.Nullable;

/**
 * Where an SFTP replica lives and how to log in, with the keys Litestream v0.3.14 reads from
 * {@code litestream.yml} ({@code host} with an optional {@code :port}, {@code user},
 * {@code password}, {@code key-path}, {@code path}) and how the server's host key is checked,
 * which Litestream v0.3.14 does not do.
 *
 * <p>The password never appears in {@link #toString()} or {@link #location()}.
 *
 * @param host the server's host name or address
 * @param port the SSH port, 22 unless the host says otherwise
 * @param user the login user
 * @param password the password, or {@code null}
 * @param keyPath a private key file (OpenSSH or PEM, without passphrase), or {@code null}
 * @param path the directory under which {@code generations/} lives: absolute (starting with
 * {@code /}), relative to the login directory, or empty for the login directory itself;
 * without trailing slash
 * @param hostKeys how the server's host key is checked
 * @param connectTimeout how long connecting and logging in may take
 * @param operationTimeout how long one SFTP request may wait for its answer
 */
public record SftpReplicaConfig(String host, int port, String user, @Nullable String password, @Nullable Path keyPath,
		String path, HostKeyPolicy hostKeys, Duration connectTimeout, Duration operationTimeout) {

	/** The SSH port when the host names none. */
	public static final int DEFAULT_PORT = 22;

	/** Litestream's dial timeout. */
	public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

	/** How long one request may wait for its answer by default. */
	public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofMinutes(2);

	private static final String EXPECTED_URL = "sftp://user@host:port/path";

	/**
	 * Validates the configuration.
	 * @param host the host
	 * @param port the port
	 * @param user the user
	 * @param password the password
	 * @param keyPath the private key file
	 * @param path the path
	 * @param hostKeys the host key policy
	 * @param connectTimeout the connect timeout
	 * @param operationTimeout the request timeout
	 */
	public SftpReplicaConfig {
		if (isBlank(host)) {
			throw new IllegalArgumentException(
					"SFTP replica has no host: set the replica's 'host' or 'url' (" + EXPECTED_URL + ")");
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("SFTP replica port " + port + " of host '" + host
					+ "' is not a TCP port: write the replica's 'host' as host or host:port");
		}
		if (isBlank(user)) {
			throw new IllegalArgumentException("SFTP replica " + host + " has no user: set the replica's 'user' or "
					+ "write the url as " + EXPECTED_URL);
		}
		if (isBlank(password) && keyPath == null) {
			throw new IllegalArgumentException("SFTP replica " + user + "@" + host
					+ " has neither 'password' nor 'key-path': set one of them");
		}
		password = isBlank(password) ? null : password;
		path = normalisePath(path);
		if (connectTimeout.isNegative() || connectTimeout.isZero() || operationTimeout.isNegative()
				|| operationTimeout.isZero()) {
			throw new IllegalArgumentException("SFTP replica timeouts must be positive");
		}
	}

	/**
	 * Starts a configuration.
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * The same server and login with an empty path, which is all a connection depends on:
	 * replicas that differ only in their path (the databases of a directory) share one.
	 * @return this configuration with an empty path
	 */
	public SftpReplicaConfig atRoot() {
		return this.path.isEmpty() ? this
				: new SftpReplicaConfig(this.host, this.port, this.user, this.password, this.keyPath, "", this.hostKeys,
						this.connectTimeout, this.operationTimeout);
	}

	/**
	 * Parses a replica URL as Litestream does: {@code sftp://user[:password]@host[:port]/path}.
	 * The path of a URL is absolute, as in Litestream.
	 * @param url the URL
	 * @return its parts
	 * @throws IllegalArgumentException naming the URL (without its password) and the expected
	 * form
	 */
	public static UrlParts parseUrl(String url) {
		if (isBlank(url)) {
			throw new IllegalArgumentException("SFTP replica 'url' is empty: expected " + EXPECTED_URL);
		}
		URI uri;
		try {
			uri = new URI(url.trim());
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException(
					"Invalid SFTP replica url '" + redactUrl(url) + "': " + ex.getReason() + "; expected " + EXPECTED_URL);
		}
		if (!"sftp".equalsIgnoreCase(uri.getScheme())) {
			throw new IllegalArgumentException(
					"Invalid SFTP replica url '" + redactUrl(url) + "': the scheme must be 'sftp'; expected " + EXPECTED_URL);
		}
		if (isBlank(uri.getHost()) || uri.getRawQuery() != null || uri.getRawFragment() != null) {
			throw new IllegalArgumentException("Invalid SFTP replica url '" + redactUrl(url)
					+ "': it needs a host and takes no query or fragment; expected " + EXPECTED_URL);
		}
		String user = null;
		String password = null;
		String userInfo = uri.getRawUserInfo();
		if (userInfo != null) {
			int colon = userInfo.indexOf(':');
			user = decode((colon < 0) ? userInfo : userInfo.substring(0, colon));
			password = (colon < 0) ? null : decode(userInfo.substring(colon + 1));
		}
		String host = (uri.getPort() != -1) ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
		return new UrlParts(host, user, password, (uri.getPath() != null) ? uri.getPath() : "");
	}

	/**
	 * A URL with its password, if any, replaced by {@code ******}, for messages.
	 * @param url the URL as written
	 * @return the URL without its password
	 */
	public static String redactUrl(String url) {
		return ReplicaUrls.redact(url);
	}

	/**
	 * Where the replica lives, for logs and the actuator endpoint.
	 * @return {@code sftp://user@host[:port]/path}, with {@code /~/} before a path relative to
	 * the login directory; never the password
	 */
	public String location() {
		String where = this.path.startsWith("/") ? this.path : (this.path.isEmpty() ? "" : "/~/" + this.path);
		return "sftp://" + this.user + "@" + hostAndPort() + where;
	}

	/**
	 * The host with its port when that is not 22, as written in {@code host}.
	 * @return such as {@code backup.example.com} or {@code backup.example.com:2222}
	 */
	public String hostAndPort() {
		String bracketed = (this.host.contains(":") ? "[" + this.host + "]" : this.host);
		return (this.port == DEFAULT_PORT) ? bracketed : bracketed + ":" + this.port;
	}

	/**
	 * The remote path of a key of the replica layout.
	 * @param relative a path from {@code ReplicaLayout}
	 * @return the path under {@link #path()}
	 */
	String remotePath(String relative) {
		if (this.path.isEmpty()) {
			return relative;
		}
		return this.path.endsWith("/") ? this.path + relative : this.path + "/" + relative;
	}

	@Override
	public String toString() {
		return "SftpReplicaConfig[location=" + location() + ", password=" + ((this.password != null) ? "******" : null)
				+ ", keyPath=" + this.keyPath + ", hostKeys=" + this.hostKeys + ", connectTimeout="
				+ this.connectTimeout + ", operationTimeout=" + this.operationTimeout + "]";
	}

	private static String normalisePath(@Nullable String path) {
		if (path == null) {
			return "";
		}
		String trimmed = path.trim();
		int end = trimmed.length();
		while (end > 1 && trimmed.charAt(end - 1) == '/') {
			end--;
		}
		return trimmed.substring(0, end);
	}

	private static String decode(String value) {
		return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
	}

	static boolean isBlank(@Nullable String value) {
		return value == null || value.isBlank();
	}

	/**
	 * The parts of a replica URL.
	 *
	 * @param host the host, with {@code :port} if the URL had one
	 * @param user the user, or {@code null}
	 * @param password the password, or {@code null}
	 * @param path the path, absolute, or empty
	 */
	public record UrlParts(String host, @Nullable String user, @Nullable String password, String path) {

		@Override
		public String toString() {
			return "UrlParts[host=" + this.host + ", user=" + this.user + ", password="
					+ ((this.password != null) ? "******" : null) + ", path=" + this.path + "]";
		}

	}

	/**
	 * Builds a configuration from Litestream-style settings.
	 */
	public static final class Builder {

		private @Nullable String host;

		private @Nullable String user;

		private @Nullable String password;

		private @Nullable Path keyPath;

		private @Nullable String path;

		private HostKeyPolicy hostKeys = HostKeyPolicy.defaults();

		private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;

		private Duration operationTimeout = DEFAULT_OPERATION_TIMEOUT;

		private Builder() {
		}

		/**
		 * Takes host, user, password and path from a URL; the other setters override them.
		 * @param url such as {@code sftp://user@host:2222/backups/app}
		 * @return this builder
		 */
		public Builder url(String url) {
			UrlParts parts = parseUrl(url);
			this.host = parts.host();
			this.user = parts.user();
			this.password = parts.password();
			this.path = parts.path();
			return this;
		}

		/**
		 * Sets the host, with an optional port: {@code host}, {@code host:2222},
		 * {@code [::1]:2222}.
		 * @param host the host
		 * @return this builder
		 */
		public Builder host(@Nullable String host) {
			this.host = host;
			return this;
		}

		/**
		 * Sets the user.
		 * @param user the user
		 * @return this builder
		 */
		public Builder user(@Nullable String user) {
			this.user = user;
			return this;
		}

		/**
		 * Sets the password.
		 * @param password the password
		 * @return this builder
		 */
		public Builder password(@Nullable String password) {
			this.password = password;
			return this;
		}

		/**
		 * Sets the private key file.
		 * @param keyPath the file
		 * @return this builder
		 */
		public Builder keyPath(@Nullable Path keyPath) {
			this.keyPath = keyPath;
			return this;
		}

		/**
		 * Sets the replica's directory.
		 * @param path absolute, relative to the login directory, or empty
		 * @return this builder
		 */
		public Builder path(@Nullable String path) {
			this.path = path;
			return this;
		}

		/**
		 * Sets how host keys are checked.
		 * @param hostKeys the policy
		 * @return this builder
		 */
		public Builder hostKeys(HostKeyPolicy hostKeys) {
			this.hostKeys = hostKeys;
			return this;
		}

		/**
		 * Sets the timeouts.
		 * @param connect connecting and logging in
		 * @param operation one request
		 * @return this builder
		 */
		public Builder timeouts(Duration connect, Duration operation) {
			this.connectTimeout = connect;
			this.operationTimeout = operation;
			return this;
		}

		/**
		 * Builds the configuration.
		 * @return the configuration
		 * @throws IllegalArgumentException naming the setting to fix
		 */
		public SftpReplicaConfig build() {
			if (isBlank(this.host)) {
				throw new IllegalArgumentException(
						"SFTP replica has no host: set the replica's 'host' or 'url' (" + EXPECTED_URL + ")");
			}
			String name = this.host.trim();
			int port = DEFAULT_PORT;
			String portText = null;
			if (name.startsWith("[")) {
				int close = name.indexOf(']');
				if (close < 0) {
					throw new IllegalArgumentException("SFTP replica host '" + name + "' lacks its closing ']'");
				}
				portText = name.substring(close + 1).startsWith(":") ? name.substring(close + 2) : null;
				name = name.substring(1, close);
			}
			else if (name.indexOf(':') >= 0 && name.indexOf(':') == name.lastIndexOf(':')) {
				portText = name.substring(name.indexOf(':') + 1);
				name = name.substring(0, name.indexOf(':'));
			}
			if (portText != null) {
				try {
					port = Integer.parseInt(portText);
				}
				catch (NumberFormatException ex) {
					throw new IllegalArgumentException("SFTP replica host '" + this.host
							+ "' has no valid port after ':': write the replica's 'host' as host or host:port");
				}
			}
			return new SftpReplicaConfig(name, port, (this.user != null) ? this.user.trim() : "", this.password,
					this.keyPath, this.path, this.hostKeys, this.connectTimeout, this.operationTimeout);
		}

	}

}
