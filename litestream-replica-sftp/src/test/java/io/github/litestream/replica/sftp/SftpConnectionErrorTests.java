package io.github.litestream.replica.sftp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.sftp.SftpReplicaException.Reason;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What a user sees when an SFTP replica can't be used: a bad password or key, an unreachable
 * host, a host key that is unknown, changed or not the pinned one, a path the user may not
 * write. Each message names the replica and the setting to fix, and never the password.
 */
class SftpConnectionErrorTests {

	@RegisterExtension
	static final SftpTestServer server = new SftpTestServer();

	@TempDir
	Path dir;

	@Test
	void wrongPasswordNamesTheUserAndTheKeysButNotThePassword() {
		String wrong = "wrong-password-" + System.nanoTime();
		SftpReplicaException ex = failure(server.passwordConfig("/p").password(wrong));
		assertThat(ex.reason()).isEqualTo(Reason.AUTHENTICATION_FAILED);
		assertThat(ex.getMessage()).contains("sftp://litestream@" + server.host() + "/p")
			.contains("user 'litestream'")
			.contains("'user', 'password' or 'key-path'")
			.doesNotContain(wrong);
	}

	@Test
	void aKeyTheServerDoesNotAcceptNamesTheKeyFile() {
		SftpReplicaException ex = failure(server.keyConfig("/p").keyPath(server.wrongKeyFile()));
		assertThat(ex.reason()).isEqualTo(Reason.AUTHENTICATION_FAILED);
		assertThat(ex.getMessage()).contains("'key-path' " + server.wrongKeyFile());
	}

	@Test
	void aMissingOrBrokenKeyFileIsNamed() throws IOException {
		Path missing = this.dir.resolve("no-such-key");
		SftpReplicaException ex = failure(server.keyConfig("/p").keyPath(missing));
		assertThat(ex.reason()).isEqualTo(Reason.BAD_KEY_FILE);
		assertThat(ex.getMessage()).contains(missing + " does not exist").contains("'key-path'");

		Path garbage = Files.writeString(this.dir.resolve("garbage"), "-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n");
		ex = failure(server.keyConfig("/p").keyPath(garbage));
		assertThat(ex.reason()).isEqualTo(Reason.BAD_KEY_FILE);
		assertThat(ex.getMessage()).contains(garbage.toString()).contains("'key-path'");
	}

	@Test
	void anUnreachableHostNamesTheHostKey() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		SftpReplicaException ex = failure(server.passwordConfig("/p").host("127.0.0.1:" + closedPort));
		assertThat(ex.reason()).isEqualTo(Reason.UNREACHABLE);
		assertThat(ex.getMessage()).contains("cannot reach 127.0.0.1:" + closedPort).contains("'host'");
	}

	@Test
	void aServerThatDropsNewConnectionsIsRetriedAsUnreachable() throws Exception {
		// What sshd's MaxStartups does under load: accept, then close before the key exchange.
		AtomicInteger accepted = new AtomicInteger();
		try (ServerSocket dropping = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			Thread acceptor = new Thread(() -> {
				while (!dropping.isClosed()) {
					try (Socket client = dropping.accept()) {
						accepted.incrementAndGet();
					}
					catch (IOException ex) {
						// Closed by the test.
					}
				}
			}, "dropping-sshd");
			acceptor.setDaemon(true);
			acceptor.start();
			SftpReplicaException ex = failure(server.passwordConfig("/p").host("127.0.0.1:" + dropping.getLocalPort()));
			assertThat(ex.reason()).as(ex.getMessage()).isEqualTo(Reason.UNREACHABLE);
			assertThat(accepted).as("every attempt connected again").hasValue(SftpRequests.ATTEMPTS);
		}
	}

	@Test
	void anUnknownHostKeyShowsItsFingerprintAndHowToTrustIt() throws IOException {
		Path empty = Files.writeString(this.dir.resolve("known_hosts"), "");
		SftpReplicaException ex = failure(
				server.passwordConfig("/p").hostKeys(new HostKeyPolicy(empty, null, false)));
		assertThat(ex.reason()).isEqualTo(Reason.HOST_KEY_REJECTED);
		assertThat(ex.getMessage()).contains(server.hostKeyFingerprint())
			.contains("is not in " + empty)
			.contains("'known-hosts-path'")
			.contains("'host-key' to '" + server.hostKeyLine() + "'")
			.contains("ssh-keyscan -p " + server.port() + " 127.0.0.1")
			.contains("'skip-host-key-check: true'");
		assertThat(server.file("/p")).doesNotExist();
		assertThat(empty).isEmptyFile();
	}

	@Test
	void aMissingKnownHostsFileIsSaid() {
		Path missing = this.dir.resolve("missing_known_hosts");
		SftpReplicaException ex = failure(
				server.passwordConfig("/p").hostKeys(new HostKeyPolicy(missing, null, false)));
		assertThat(ex.reason()).isEqualTo(Reason.HOST_KEY_REJECTED);
		assertThat(ex.getMessage()).contains(missing + " does not exist").contains(server.hostKeyFingerprint());
		assertThat(missing).doesNotExist();
	}

	@Test
	void aChangedHostKeyIsRefusedAsAPossibleAttack() throws Exception {
		KeyPair other = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
		Path knownHosts = Files.writeString(this.dir.resolve("known_hosts"),
				"[127.0.0.1]:" + server.port() + " " + PublicKeyEntry.toString(other.getPublic()) + "\n");
		SftpReplicaException ex = failure(
				server.passwordConfig("/p").hostKeys(new HostKeyPolicy(knownHosts, null, false)));
		assertThat(ex.reason()).isEqualTo(Reason.HOST_KEY_REJECTED);
		assertThat(ex.getMessage()).contains("differs from the one for 127.0.0.1:" + server.port())
			.contains("intercepting")
			.contains(server.hostKeyFingerprint());
	}

	@Test
	void aPinnedHostKeyIsAcceptedAndAnotherOneRefused() throws Exception {
		Path noKnownHosts = this.dir.resolve("none");
		try (ReplicaClient client = SftpReplicaClient.open(server.passwordConfig("/pinned")
			.hostKeys(new HostKeyPolicy(noKnownHosts, server.hostKeyLine(), false))
			.build(), ReplicaOperationListener.NONE)) {
			assertThat(client.generations()).isEmpty();
		}
		String otherKey = PublicKeyEntry
			.toString(KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256).getPublic());
		SftpReplicaException ex = failure(
				server.passwordConfig("/p").hostKeys(new HostKeyPolicy(noKnownHosts, otherKey, false)));
		assertThat(ex.reason()).isEqualTo(Reason.HOST_KEY_REJECTED);
		assertThat(ex.getMessage()).contains("not the one pinned in the replica's 'host-key'")
			.contains(server.hostKeyLine());
	}

	@Test
	void skippingTheCheckAcceptsAnyKeyAsLitestreamDoes() throws Exception {
		try (ReplicaClient client = SftpReplicaClient.open(server.passwordConfig("/skipped")
			.hostKeys(new HostKeyPolicy(this.dir.resolve("none"), null, true))
			.build(), ReplicaOperationListener.NONE)) {
			client.writeSnapshot("0123456789abcdef", 1, new ByteArrayInputStream(new byte[] { 1 }));
			assertThat(client.generations()).containsExactly("0123456789abcdef");
		}
	}

	@Test
	void aPathTheUserMayNotWriteNamesThePathSetting() throws Exception {
		String path = "/" + SftpTestServer.READ_ONLY + "/app";
		try (ReplicaClient client = SftpReplicaClient.open(server.passwordConfig(path).build(),
				ReplicaOperationListener.NONE)) {
			assertThatExceptionOfType(SftpReplicaException.class)
				.isThrownBy(() -> client.writeSnapshot("0123456789abcdef", 1, new ByteArrayInputStream(new byte[1])))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.PERMISSION_DENIED))
				.withMessageContaining("permission denied")
				.withMessageContaining("user 'litestream'")
				.withMessageContaining("'" + path + "'")
				.withMessageContaining("'path'")
				.withMessageNotContaining(SftpTestServer.PASSWORD);
		}
	}

	@Test
	void refusedLoginsAreNotRetriedButBrokenConnectionsAre() throws IOException {
		int before = server.connections();
		failure(server.passwordConfig("/p").password("wrong"));
		assertThat(server.connections() - before).isOne();

		try (ReplicaClient client = SftpReplicaClient.open(server.passwordConfig("/retried").build(),
				ReplicaOperationListener.NONE)) {
			client.generations();
			server.dropConnections();
			int connected = server.connections();
			assertThat(client.generations()).isEmpty();
			assertThat(server.connections() - connected).isOne();
		}
	}

	private static SftpReplicaException failure(SftpReplicaConfig.Builder config) {
		try (ReplicaClient client = SftpReplicaClient.open(config.timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10))
			.build(), ReplicaOperationListener.NONE)) {
			client.generations();
		}
		catch (SftpReplicaException ex) {
			assertThat(ex.getMessage()).doesNotContain(SftpTestServer.PASSWORD);
			return ex;
		}
		catch (IOException ex) {
			throw new AssertionError("expected an SftpReplicaException", ex);
		}
		throw new AssertionError("expected the replica to fail");
	}

}
