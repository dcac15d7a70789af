package io.github.litestream.boot.autoconfigure;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.litestream.HomeDirectory;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.sftp.SftpConnection;
import io.github.litestream.replica.sftp.SftpReplicaClient;
import io.github.litestream.replica.sftp.SftpReplicaConfig;
import io.github.litestream.replica.sftp.HostKeyPolicy;
import io.github.litestream.replica.sftp.SftpReplicaConfig.UrlParts;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.util.StringUtils;

/**
 * Configures and creates {@code sftp} replicas from {@code sftp://user@host:port/path} or
 * Litestream's {@code host}/{@code user}/{@code password}/{@code key-path}/{@code path} keys
 * (a key wins over the same part of the url, as in Litestream), checking the server's host key
 * against {@code known-hosts-path} (default {@code ~/.ssh/known_hosts}) or a pinned
 * {@code host-key} unless {@code skip-host-key-check} is set. Replicas with equal settings share
 * one SSH connection (the restore at boot and the replication afterwards, for example); the
 * connections are closed when the application context closes.
 */
final class SftpReplicaClientProvider implements ReplicaClientProvider, DisposableBean {

	private static final Set<String> KEYS = Set.of("host", "user", "password", "key-path", "known-hosts-path",
			"host-key", "skip-host-key-check");

	private final Map<SftpReplicaConfig, SftpConnection> connections = new ConcurrentHashMap<>();

	@Override
	public String type() {
		return "sftp";
	}

	@Override
	public Set<String> keys() {
		return KEYS;
	}

	@Override
	public SftpReplicaConfig configure(ReplicaEntry entry) {
		SftpReplicaProperties properties = entry.bind(SftpReplicaProperties.class);
		String host = properties.getHost();
		String user = properties.getUser();
		String password = properties.getPassword();
		String path = entry.path();
		URI url = entry.url();
		if (url != null) {
			if (StringUtils.hasText(host)) {
				throw new LitestreamConfigurationException(entry.property("host"),
						"both url and host are set, so the server is ambiguous",
						"Remove either " + entry.property("url") + " or " + entry.property("host") + ".");
			}
			UrlParts parts = parse(entry, url);
			host = parts.host();
			user = StringUtils.hasText(user) ? user : parts.user();
			password = StringUtils.hasText(password) ? password : parts.password();
			path = parts.path();
		}
		require(entry, host, "host", "an sftp replica needs a host",
				"Set " + entry.property("url") + " to sftp://user@host:port/path, or " + entry.property("host") + ".");
		require(entry, user, "user", "an sftp replica needs a user to log in as",
				"Set " + entry.property("user") + ", or write the url as sftp://user@host/path.");
		if (!StringUtils.hasText(password) && !StringUtils.hasText(properties.getKeyPath())) {
			throw new LitestreamConfigurationException(entry.property("password"),
					"an sftp replica needs a password or a private key",
					"Set " + entry.property("password") + " or " + entry.property("key-path") + ".");
		}
		try {
			return SftpReplicaConfig.builder()
				.host(host)
				.user(user)
				.password(password)
				.keyPath(StringUtils.hasText(properties.getKeyPath()) ? localPath(entry, "key-path", properties.getKeyPath())
						: null)
				.path(path)
				.hostKeys(hostKeys(entry, properties))
				.build();
		}
		catch (IllegalArgumentException ex) {
			throw new LitestreamConfigurationException(entry.property(), ex.getMessage(),
					"Fix the SFTP settings under " + entry.property() + ".", ex);
		}
	}

	@Override
	public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
		SftpReplicaConfig config = settings.backend(SftpReplicaConfig.class);
		// One connection per server and login: the databases of a directory differ only in their path.
		return new SftpReplicaClient(this.connections.computeIfAbsent(config.atRoot(), SftpConnection::new), config,
				listener);
	}

	@Override
	public void destroy() {
		this.connections.values().forEach(SftpConnection::close);
		this.connections.clear();
	}

	private static UrlParts parse(ReplicaEntry entry, URI url) {
		try {
			return SftpReplicaConfig.parseUrl(url.toString());
		}
		catch (IllegalArgumentException ex) {
			throw new LitestreamConfigurationException(entry.property("url"), ex.getMessage(),
					"Write the url as sftp://user@host:port/path.");
		}
	}

	private static HostKeyPolicy hostKeys(ReplicaEntry entry, SftpReplicaProperties properties) {
		Path knownHosts = StringUtils.hasText(properties.getKnownHostsPath())
				? localPath(entry, "known-hosts-path", properties.getKnownHostsPath())
				: HostKeyPolicy.defaultKnownHosts();
		String pinned = StringUtils.hasText(properties.getHostKey()) ? properties.getHostKey() : null;
		try {
			return new HostKeyPolicy(knownHosts, pinned, properties.isSkipHostKeyCheck());
		}
		catch (IllegalArgumentException ex) {
			throw new LitestreamConfigurationException(entry.property("host-key"), ex.getMessage(),
					"Set " + entry.property("host-key") + " to the server's key as `ssh-keyscan host` prints it, "
							+ "without the host name, such as 'ssh-ed25519 AAAAC3Nza...'.",
					ex);
		}
	}

	private static void require(ReplicaEntry entry, @Nullable String value, String key, String problem,
			String action) {
		if (!StringUtils.hasText(value)) {
			throw new LitestreamConfigurationException(entry.property(key), problem, action);
		}
	}

	private static Path localPath(ReplicaEntry entry, String key, String value) {
		String expanded = HomeDirectory.expand(value);
		try {
			return Path.of(expanded).toAbsolutePath().normalize();
		}
		catch (InvalidPathException ex) {
			throw new LitestreamConfigurationException(entry.property(key), "'" + value + "' is not a usable file path",
					"Set " + entry.property(key) + " to a file on this machine.", ex);
		}
	}

}
