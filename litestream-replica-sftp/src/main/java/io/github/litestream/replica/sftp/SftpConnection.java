package io.github.litestream.replica.sftp;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.github.litestream.replica.sftp.SftpReplicaException.Reason;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.keyboard.UserInteraction;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH session to an SFTP replica's server, opened on first use, reused by every request
 * and opened again after it broke. Requests run on SFTP channels of that session, handed out
 * one per caller (a reader keeps its channel until its stream is closed) and kept for reuse,
 * so parallel restores don't wait for each other.
 *
 * <p>The host key is checked before anything is sent (see {@link HostKeyCheck}), and only the
 * configured password and key are offered: neither {@code ~/.ssh/config} nor the user's other
 * keys are read. Heartbeats find a dead server, so requests fail instead of hanging.
 */
public final class SftpConnection implements Closeable {

	private static final Logger logger = LoggerFactory.getLogger(SftpConnection.class);

	private static final int MAX_IDLE_CHANNELS = 4;

	/**
	 * Open channels (in use or idle) at most: OpenSSH refuses more than {@code MaxSessions}
	 * (10 by default) on one connection, and the databases of a directory share this one.
	 */
	static final int MAX_CHANNELS = 8;

	private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(15);

	private final SftpReplicaConfig config;

	private final HostKeyCheck hostKeys;

	private @Nullable SshClient client;

	private @Nullable ClientSession session;

	private final Deque<SftpClient> idle = new ArrayDeque<>();

	/** One permit per open channel; a caller waits for one to be handed back or closed. */
	private final Semaphore channels = new Semaphore(MAX_CHANNELS, true);

	private boolean closed;

	/**
	 * Creates a connection; nothing is sent until the first request.
	 * @param config the replica
	 * @throws IllegalArgumentException if the pinned host key cannot be parsed
	 */
	public SftpConnection(SftpReplicaConfig config) {
		this.config = Objects.requireNonNull(config, "config");
		this.hostKeys = new HostKeyCheck(config.hostKeys());
	}

	/**
	 * The replica this connection reaches.
	 * @return the configuration
	 */
	public SftpReplicaConfig config() {
		return this.config;
	}

	/**
	 * Takes an SFTP channel, connecting and logging in first if needed.
	 * @return the channel; close it to hand it back
	 * @throws IOException translated by {@link SftpErrors} if the server can't be reached or
	 * refuses the login
	 */
	Channel channel() throws IOException {
		long deadline = System.nanoTime() + this.config.operationTimeout().toNanos();
		while (true) {
			Channel reused = idleChannel();
			if (reused != null) {
				return reused;
			}
			try {
				if (this.channels.tryAcquire(50, TimeUnit.MILLISECONDS)) {
					break;
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while waiting for a channel to " + this.config.location());
			}
			if (System.nanoTime() - deadline > 0) {
				// Busy, not broken: retried as an unreachable server is.
				throw new SftpReplicaException(Reason.UNREACHABLE, "SFTP replica " + this.config.location()
						+ ": no channel of the " + MAX_CHANNELS + " this connection opens at most came free within "
						+ this.config.operationTimeout(), null);
			}
		}
		ClientSession current;
		try {
			synchronized (this) {
				requireOpen();
				current = openSession();
			}
		}
		catch (IOException | RuntimeException ex) {
			this.channels.release();
			throw ex;
		}
		try {
			return new Channel(SftpClientFactory.instance().createSftpClient(current), current);
		}
		catch (IOException ex) {
			this.channels.release();
			broken(current);
			throw ex;
		}
		catch (RuntimeException ex) {
			// MINA throws IllegalStateException for a session that closes under the call.
			this.channels.release();
			broken(current);
			throw new IOException("Cannot open an SFTP channel to " + this.config.location() + ": " + ex.getMessage(),
					ex);
		}
	}

	private synchronized @Nullable Channel idleChannel() throws IOException {
		requireOpen();
		while (!this.idle.isEmpty()) {
			SftpClient sftp = this.idle.pop();
			if (sftp.isOpen() && this.session != null && this.session.isOpen()) {
				return new Channel(sftp, this.session);
			}
			closeChannel(sftp);
		}
		return null;
	}

	private void requireOpen() throws IOException {
		if (this.closed) {
			throw new IOException("SFTP replica " + this.config.location() + " is closed");
		}
	}

	/** Closes a channel this connection opened, and frees its place. */
	private void closeChannel(SftpClient sftp) {
		closeQuietly(sftp);
		this.channels.release();
	}

	/**
	 * Drops a session whose connection failed, so that the next request connects again.
	 * @param failed the session that failed
	 */
	synchronized void broken(ClientSession failed) {
		if (this.session == failed) {
			logger.info("SFTP replica {}: the connection failed; the next request connects again",
					this.config.location());
			this.session = null;
			this.idle.forEach(this::closeChannel);
			this.idle.clear();
		}
		failed.close(true);
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		this.idle.forEach(this::closeChannel);
		this.idle.clear();
		if (this.session != null) {
			this.session.close(true);
			this.session = null;
		}
		if (this.client != null) {
			this.client.stop();
			this.client = null;
		}
	}

	@Override
	public String toString() {
		return "SftpConnection[" + this.config.location() + "]";
	}

	private synchronized void release(Channel channel) {
		if (!this.closed && channel.sftp.isOpen() && channel.session == this.session && this.session.isOpen()
				&& this.idle.size() < MAX_IDLE_CHANNELS) {
			this.idle.push(channel.sftp);
		}
		else {
			closeChannel(channel.sftp);
		}
	}

	private ClientSession openSession() throws IOException {
		if (this.session != null && this.session.isOpen()) {
			return this.session;
		}
		this.session = null;
		List<KeyPair> keys = loadKey();
		SshClient ssh = client();
		ClientSession created = null;
		this.hostKeys.takeRejection();
		try {
			created = ssh.connect(this.config.user(), this.config.host(), this.config.port())
				.verify(this.config.connectTimeout())
				.getSession();
			if (this.config.password() != null) {
				created.addPasswordIdentity(this.config.password());
			}
			keys.forEach(created::addPublicKeyIdentity);
			created.auth().verify(this.config.connectTimeout());
			this.session = created;
			return created;
		}
		catch (IOException ex) {
			if (created != null) {
				created.close(true);
			}
			throw SftpErrors.connectFailure(ex, this.config, this.hostKeys.takeRejection(),
					this.hostKeys.knownHostsFileExists());
		}
	}

	private SshClient client() {
		if (this.client == null) {
			SshClient ssh = SshClient.setUpDefaultClient();
			ssh.setServerKeyVerifier(this.hostKeys);
			ssh.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
			ssh.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
			ssh.setUserInteraction(UserInteraction.NONE);
			CoreModuleProperties.TCP_NODELAY.set(ssh, true);
			CoreModuleProperties.HEARTBEAT_INTERVAL.set(ssh, HEARTBEAT_INTERVAL);
			// Heartbeats that want a reply: a server that stops answering closes the session
			// after four of them, instead of leaving requests waiting.
			CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(ssh, HEARTBEAT_INTERVAL);
			CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(ssh, 4);
			CoreModuleProperties.IDLE_TIMEOUT.set(ssh, this.config.operationTimeout());
			CoreModuleProperties.WINDOW_TIMEOUT.set(ssh, this.config.operationTimeout());
			CoreModuleProperties.CHANNEL_OPEN_TIMEOUT.set(ssh, this.config.connectTimeout());
			SftpModuleProperties.SFTP_CHANNEL_OPEN_TIMEOUT.set(ssh, this.config.connectTimeout());
			ssh.start();
			this.client = ssh;
		}
		return this.client;
	}

	private List<KeyPair> loadKey() throws SftpReplicaException {
		if (this.config.keyPath() == null) {
			return List.of();
		}
		String fix = ". Fix the replica's 'key-path': it must name an unencrypted private key file "
				+ "(OpenSSH or PEM) readable by this process";
		try (InputStream in = Files.newInputStream(this.config.keyPath())) {
			List<KeyPair> keys = new ArrayList<>();
			Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null,
					NamedResource.ofName(this.config.keyPath().toString()), in, FilePasswordProvider.EMPTY);
			if (loaded != null) {
				loaded.forEach(keys::add);
			}
			if (keys.isEmpty()) {
				throw new SftpReplicaException(Reason.BAD_KEY_FILE, "SFTP replica " + this.config.location()
						+ ": no private key found in " + this.config.keyPath() + fix, null);
			}
			return keys;
		}
		catch (NoSuchFileException ex) {
			throw new SftpReplicaException(Reason.BAD_KEY_FILE,
					"SFTP replica " + this.config.location() + ": the key file " + this.config.keyPath()
							+ " does not exist" + fix, ex);
		}
		catch (IOException | GeneralSecurityException | RuntimeException ex) {
			if (ex instanceof SftpReplicaException known) {
				throw known;
			}
			throw new SftpReplicaException(Reason.BAD_KEY_FILE, "SFTP replica " + this.config.location()
					+ ": cannot read a private key from " + this.config.keyPath() + " (" + ex.getClass().getSimpleName()
					+ "; keys with a passphrase are not supported)" + fix, ex);
		}
	}

	private static void closeQuietly(SftpClient sftp) {
		try {
			sftp.close();
		}
		catch (IOException ex) {
			// The channel is dropped either way.
		}
	}

	/**
	 * An SFTP channel lent to one caller; closing it hands it back.
	 */
	final class Channel implements Closeable {

		private final SftpClient sftp;

		private final ClientSession session;

		private boolean released;

		private Channel(SftpClient sftp, ClientSession session) {
			this.sftp = sftp;
			this.session = session;
		}

		/**
		 * The SFTP client of this channel.
		 * @return the client
		 */
		SftpClient sftp() {
			return this.sftp;
		}

		/**
		 * Drops the whole session after a connection failure on this channel.
		 */
		void broken() {
			SftpConnection.this.broken(this.session);
		}

		@Override
		public void close() {
			if (!this.released) {
				this.released = true;
				release(this);
			}
		}

	}

}
