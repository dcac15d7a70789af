package io.github.litestream.replica.sftp;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.apache.sshd.sftp.server.AbstractSftpSubsystemHelper;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real SFTP server for tests: Apache MINA SSHD running in this JVM on {@code 127.0.0.1} and
 * a free port, serving a temporary directory as {@code /} (also the login directory). It
 * accepts one user with a password or with an Ed25519 key, presents an Ed25519 host key, and
 * denies every change under a directory named {@code read-only}, as a server whose permissions
 * forbid it would. Register it with {@code @RegisterExtension static}; {@link #start()} and
 * {@link #stop()} also work by hand (the auto-configuration tests and child JVMs use it).
 */
public final class SftpTestServer implements BeforeAllCallback, AfterAllCallback {

	/** The user the server accepts. */
	public static final String USER = "litestream";

	/** The user's password. */
	public static final String PASSWORD = "test-password-" + UUID.randomUUID();

	/** The directory under which the server refuses changes. */
	public static final String READ_ONLY = "read-only";

	private final AtomicInteger replicas = new AtomicInteger();

	private final boolean openSshSftpServer;

	private final AtomicInteger connections = new AtomicInteger();

	private SshServer server;

	private Path dir;

	private KeyPair hostKey;

	private KeyPair userKey;

	private volatile boolean renameReplaces;

	private volatile boolean failRenamesOfTempFiles;

	private volatile Consumer<Path> beforeWrite = (file) -> {
	};

	/**
	 * A server whose SFTP requests MINA SSHD answers itself.
	 */
	public SftpTestServer() {
		this(false);
	}

	private SftpTestServer(boolean openSshSftpServer) {
		this.openSshSftpServer = openSshSftpServer;
	}

	/**
	 * A server whose SFTP requests OpenSSH's {@code sftp-server} program answers (see
	 * {@link OpenSshSftpSubsystem}); its tests are skipped, saying why, where that program is
	 * not installed. Replica paths must be relative ({@link #newRelativeReplicaPath()}).
	 * @return the server
	 */
	static SftpTestServer withOpenSshSftpServer() {
		return new SftpTestServer(true);
	}

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		if (this.openSshSftpServer) {
			assumeTrue(OpenSshSftpSubsystem.program().isPresent(), "OpenSSH's sftp-server is not installed: run "
					+ "`apt-get install openssh-sftp-server` (as .ci/run does)");
		}
		start();
	}

	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		stop();
	}

	/**
	 * Starts the server with new keys and an empty root directory.
	 * @throws Exception if it cannot start
	 */
	public synchronized void start() throws Exception {
		this.dir = Files.createTempDirectory("sftp-test-server");
		Files.createDirectories(root().resolve(READ_ONLY));
		this.hostKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
		this.userKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
		writePrivateKey(this.userKey, keyFile());
		writePrivateKey(KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256), wrongKeyFile());
		SshServer sshd = SshServer.setUpDefaultServer();
		sshd.setHost("127.0.0.1");
		sshd.setPort(0);
		sshd.setKeyPairProvider(KeyPairProvider.wrap(this.hostKey));
		sshd.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
		sshd.setPublickeyAuthenticator(
				(user, key, session) -> USER.equals(user) && KeyUtils.compareKeys(key, this.userKey.getPublic()));
		sshd.addSessionListener(new SessionListener() {

			@Override
			public void sessionCreated(Session session) {
				SftpTestServer.this.connections.incrementAndGet();
			}

		});
		sshd.setFileSystemFactory(new VirtualFileSystemFactory(root()));
		sshd.setSubsystemFactories(List.of(this.openSshSftpServer ? new OpenSshSftpSubsystem(root())
				: new SftpSubsystemFactory.Builder().withFileSystemAccessor(new ReadOnlyDirectory(this::beforeWrite, () -> this.renameReplaces, () -> this.failRenamesOfTempFiles)).build()));
		sshd.start();
		this.server = sshd;
		Files.writeString(knownHosts(), knownHostsLine(this.hostKey.getPublic()) + "\n");
	}

	/**
	 * Stops the server and deletes its files.
	 * @throws IOException if it cannot stop
	 */
	public synchronized void stop() throws IOException {
		if (this.server != null) {
			this.server.stop(true);
			this.server = null;
		}
		if (this.dir != null) {
			try (Stream<Path> files = Files.walk(this.dir)) {
				for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
					Files.deleteIfExists(file);
				}
			}
			this.dir = null;
		}
	}

	/**
	 * Drops every open connection, as a restarted server or a broken network would, and returns
	 * once the server closed them: a close still under way could otherwise land in the middle of
	 * the client's next request instead of before it.
	 */
	public void dropConnections() {
		for (var session : this.server.getActiveSessions()) {
			try {
				session.close(true).await(Duration.ofSeconds(10));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	/**
	 * Runs an action whenever a client opens a file for writing, before the server opens it:
	 * what another client does while this one is between two requests.
	 * @param action given the local file; {@code null} for none
	 */
	public void beforeEveryWrite(Consumer<Path> action) {
		this.beforeWrite = (action != null) ? action : (file) -> {
		};
	}

	/**
	 * Whether renames replace an existing file, as a server built on {@code rename(2)} does
	 * (SFTP v3 says they must fail).
	 * @param replaces whether they replace
	 */
	public void renameReplaces(boolean replaces) {
		this.renameReplaces = replaces;
	}

	/**
	 * Whether renames of an upload's temporary file ({@code *.tmp}) fail, as a full disk or a
	 * permission change on the server would.
	 * @param fail whether they fail
	 */
	public void failRenamesOfTempFiles(boolean fail) {
		this.failRenamesOfTempFiles = fail;
	}

	/**
	 * Whether the server speaks SFTP v3 and offers no {@code posix-rename@openssh.com}, as older
	 * or minimal servers do, so that a client cannot replace a file in one request; connections
	 * opened afterwards see the change.
	 * @param v3 whether to speak v3 without the extension
	 */
	public void speakV3WithoutPosixRename(boolean v3) {
		if (v3) {
			SftpModuleProperties.SFTP_VERSION.set(this.server, 3);
			SftpModuleProperties.OPENSSH_EXTENSIONS.set(this.server,
					AbstractSftpSubsystemHelper.DEFAULT_OPEN_SSH_EXTENSIONS.stream()
						.filter((extension) -> !extension.getName().equals("posix-rename@openssh.com"))
						.map((extension) -> extension.getName() + "=" + extension.getVersion())
						.collect(Collectors.joining(",")));
		}
		else {
			SftpModuleProperties.SFTP_VERSION.remove(this.server);
			SftpModuleProperties.OPENSSH_EXTENSIONS.remove(this.server);
		}
	}

	private void beforeWrite(Path file) {
		this.beforeWrite.accept(file);
	}

	/**
	 * Whether the server lists OpenSSH's {@code hardlink@openssh.com} among its extensions, as
	 * it does by default; connections opened afterwards see the change.
	 * @param offer whether to list it
	 */
	public void offerHardLinks(boolean offer) {
		String extensions = AbstractSftpSubsystemHelper.DEFAULT_OPEN_SSH_EXTENSIONS.stream()
			.filter((extension) -> offer || !extension.getName().equals("hardlink@openssh.com"))
			.map((extension) -> extension.getName() + "=" + extension.getVersion())
			.collect(Collectors.joining(","));
		SftpModuleProperties.OPENSSH_EXTENSIONS.set(this.server, extensions);
	}

	/**
	 * How many SSH connections clients opened.
	 * @return the count
	 */
	public int connections() {
		return this.connections.get();
	}

	/**
	 * The port the server listens on.
	 * @return the port
	 */
	public int port() {
		return this.server.getPort();
	}

	/**
	 * What the server serves as {@code /}.
	 * @return the directory
	 */
	public Path root() {
		return this.dir.resolve("root");
	}

	/**
	 * A known hosts file with the server's key for {@code [127.0.0.1]:port}.
	 * @return the file
	 */
	public Path knownHosts() {
		return this.dir.resolve("known_hosts");
	}

	/**
	 * The user's private key (OpenSSH format, no passphrase), which the server accepts.
	 * @return the file
	 */
	public Path keyFile() {
		return this.dir.resolve("id_ed25519");
	}

	/**
	 * A valid private key that the server does not accept.
	 * @return the file
	 */
	public Path wrongKeyFile() {
		return this.dir.resolve("wrong_id_ed25519");
	}

	/**
	 * The server's host key as {@code ssh-keyscan} prints it, without the host.
	 * @return such as {@code ssh-ed25519 AAAA...}
	 */
	public String hostKeyLine() {
		return PublicKeyEntry.toString(this.hostKey.getPublic());
	}

	/**
	 * The server's host key fingerprint.
	 * @return such as {@code SHA256:...}
	 */
	public String hostKeyFingerprint() {
		return KeyUtils.getFingerPrint(this.hostKey.getPublic());
	}

	/**
	 * A fresh, empty replica directory's absolute path on the server.
	 * @return such as {@code /replica-3}
	 */
	public String newReplicaPath() {
		return "/replica-" + this.replicas.incrementAndGet();
	}

	/**
	 * A fresh, empty replica directory's path relative to the login directory.
	 * @return such as {@code replica-3}
	 */
	public String newRelativeReplicaPath() {
		return "replica-" + this.replicas.incrementAndGet();
	}

	/**
	 * The host as the replica's {@code host} key writes it.
	 * @return {@code 127.0.0.1:port}
	 */
	public String host() {
		return "127.0.0.1:" + port();
	}

	/**
	 * The replica URL of a path, without password.
	 * @param path an absolute path
	 * @return {@code sftp://litestream@127.0.0.1:port/path}
	 */
	public String url(String path) {
		return "sftp://" + USER + "@" + host() + path;
	}

	/**
	 * A configuration for a path with the password, checking the host key against
	 * {@link #knownHosts()}, with short timeouts.
	 * @param path the replica's path
	 * @return the builder
	 */
	public SftpReplicaConfig.Builder passwordConfig(String path) {
		return SftpReplicaConfig.builder()
			.host(host())
			.user(USER)
			.password(PASSWORD)
			.path(path)
			.hostKeys(new HostKeyPolicy(knownHosts(), null, false))
			.timeouts(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(30));
	}

	/**
	 * Like {@link #passwordConfig} but logging in with {@link #keyFile()}.
	 * @param path the replica's path
	 * @return the builder
	 */
	public SftpReplicaConfig.Builder keyConfig(String path) {
		return passwordConfig(path).password(null).keyPath(keyFile());
	}

	/**
	 * The file the server holds at a path of a replica.
	 * @param remotePath an absolute remote path
	 * @return the local file
	 */
	public Path file(String remotePath) {
		return root().resolve(remotePath.replaceFirst("^/+", ""));
	}

	private String knownHostsLine(PublicKey key) {
		return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(key);
	}

	private static void writePrivateKey(KeyPair key, Path file) throws IOException, GeneralSecurityException {
		try (OutputStream out = Files.newOutputStream(file)) {
			OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "test", null, out);
		}
	}

	/**
	 * Refuses to change anything under {@link #READ_ONLY}, as file permissions would (the
	 * tests may run as root, whom permissions don't stop), and lets a test act before a write.
	 */
	private static final class ReadOnlyDirectory implements SftpFileSystemAccessor {

		private final Consumer<Path> beforeWrite;

		private final BooleanSupplier renameReplaces;

		private final BooleanSupplier failRenamesOfTempFiles;

		ReadOnlyDirectory(Consumer<Path> beforeWrite, BooleanSupplier renameReplaces,
				BooleanSupplier failRenamesOfTempFiles) {
			this.beforeWrite = beforeWrite;
			this.renameReplaces = renameReplaces;
			this.failRenamesOfTempFiles = failRenamesOfTempFiles;
		}

		@Override
		public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file,
				String handle, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
			if (options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND)) {
				deny(file);
				this.beforeWrite.accept(file);
			}
			return SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle, options, attrs);
		}

		@Override
		public void createDirectory(SftpSubsystemProxy subsystem, Path path) throws IOException {
			deny(path);
			SftpFileSystemAccessor.super.createDirectory(subsystem, path);
		}

		@Override
		public void renameFile(SftpSubsystemProxy subsystem, Path oldPath, Path newPath, Collection<CopyOption> opts)
				throws IOException {
			deny(newPath);
			if (this.failRenamesOfTempFiles.getAsBoolean() && oldPath.getFileName().toString().endsWith(".tmp")) {
				throw new AccessDeniedException(oldPath.toString(), newPath.toString(), "renames of uploads refused");
			}
			if (this.renameReplaces.getAsBoolean()) {
				Files.move(oldPath, newPath, StandardCopyOption.REPLACE_EXISTING);
				return;
			}
			SftpFileSystemAccessor.super.renameFile(subsystem, oldPath, newPath, opts);
		}

		@Override
		public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
			deny(path);
			SftpFileSystemAccessor.super.removeFile(subsystem, path, isDirectory);
		}

		private static void deny(Path path) throws AccessDeniedException {
			for (Path part : path) {
				if (part.toString().equals(READ_ONLY)) {
					throw new AccessDeniedException(path.toString());
				}
			}
		}

	}

}
