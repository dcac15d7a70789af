package io.github.litestream.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * The keys of an {@code sftp} replica entry beyond the common ones, bound by
 * {@link SftpReplicaClientProvider} from {@code litestream.dbs[n].replicas[m]}: Litestream's
 * ({@code host}, {@code user}, {@code password}, {@code key-path}) and how the server's host
 * key is checked. {@link #toString()} never shows the password.
 */
public class SftpReplicaProperties {

	/**
	 * Host of an SFTP replica, with an optional port: host or host:port.
	 */
	private @Nullable String host;

	/**
	 * User an SFTP replica logs in as.
	 */
	private @Nullable String user;

	/**
	 * Password of the SFTP replica's user.
	 */
	private @Nullable String password;

	/**
	 * Private key file (OpenSSH or PEM, without passphrase) the SFTP replica logs in with.
	 */
	private @Nullable String keyPath;

	/**
	 * OpenSSH known_hosts file that must hold the SFTP server's host key; defaults to
	 * ~/.ssh/known_hosts.
	 */
	private @Nullable String knownHostsPath;

	/**
	 * The SFTP server's one accepted host key, as ssh-keyscan prints it without the host
	 * ("ssh-ed25519 AAAA..."); replaces the known_hosts check.
	 */
	private @Nullable String hostKey;

	/**
	 * Whether to accept any SFTP host key, as Litestream v0.3.14 does; exposes the password
	 * to whoever can intercept the connection.
	 */
	private boolean skipHostKeyCheck;

	public @Nullable String getHost() {
		return this.host;
	}

	public void setHost(@Nullable String host) {
		this.host = host;
	}

	public @Nullable String getUser() {
		return this.user;
	}

	public void setUser(@Nullable String user) {
		this.user = user;
	}

	public @Nullable String getPassword() {
		return this.password;
	}

	public void setPassword(@Nullable String password) {
		this.password = password;
	}

	public @Nullable String getKeyPath() {
		return this.keyPath;
	}

	public void setKeyPath(@Nullable String keyPath) {
		this.keyPath = keyPath;
	}

	public @Nullable String getKnownHostsPath() {
		return this.knownHostsPath;
	}

	public void setKnownHostsPath(@Nullable String knownHostsPath) {
		this.knownHostsPath = knownHostsPath;
	}

	public @Nullable String getHostKey() {
		return this.hostKey;
	}

	public void setHostKey(@Nullable String hostKey) {
		this.hostKey = hostKey;
	}

	public boolean isSkipHostKeyCheck() {
		return this.skipHostKeyCheck;
	}

	public void setSkipHostKeyCheck(boolean skipHostKeyCheck) {
		this.skipHostKeyCheck = skipHostKeyCheck;
	}

	@Override
	public String toString() {
		return "SftpReplicaProperties[host=" + this.host + ", user=" + this.user + ", password="
				+ Secrets.redact(this.password) + ", keyPath=" + this.keyPath + ", knownHostsPath="
				+ this.knownHostsPath + ", hostKey=" + this.hostKey + ", skipHostKeyCheck=" + this.skipHostKeyCheck
				+ "]";
	}

}
