package io.github.litestream.replica.sftp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.github.litestream.replica.ConditionalObjectsContractTest;
import io.github.litestream.replica.ReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link SftpConditionalObjects} against OpenSSH's own sftp-server program (behind MINA SSHD's
 * SSH transport, see {@link OpenSshSftpSubsystem}): racing writers, exactly one wins, with the
 * server that production replicas mostly talk to, which answers a taken name with a plain
 * failure rather than MINA's "file already exists".
 */
class SftpOpenSshConditionalObjectsTests extends ConditionalObjectsContractTest {

	@RegisterExtension
	static final SftpTestServer server = SftpTestServer.withOpenSshSftpServer();

	private String path;

	@Override
	protected ReplicaClient createClient() {
		this.path = server.newRelativeReplicaPath();
		return SftpReplicaClient.open(server.passwordConfig(this.path).build(), new RecordingListener());
	}

	@Test
	void versionsAreFilesInTheReplicaDirectory() throws IOException {
		String version = this.client.conditionalObjects().orElseThrow().create("lease.json", "one".getBytes());
		assertThat(version).isEqualTo("1");
		assertThat(server.file(this.path + "/lease.json.1")).hasContent("one");
	}

	@Test
	void theServerOffersHardLinksAndItsPlainRenameRefusesATakenName() throws IOException {
		Path root = Files.createDirectories(server.file(this.path));
		Files.writeString(root.resolve("a"), "content");
		Files.writeString(root.resolve("taken"), "other");
		try (SftpConnection connection = new SftpConnection(server.passwordConfig(this.path).build());
				SftpConnection.Channel channel = connection.channel()) {
			assertThat(OpenSshHardLink.of(channel.sftp())).isNotNull();
			assertThatExceptionOfType(IOException.class)
				.isThrownBy(() -> channel.sftp().rename(this.path + "/a", this.path + "/taken"));
			assertThat(SftpFiles.claim(channel.sftp(), this.path + "/a", this.path + "/taken")).isFalse();
			assertThat(SftpFiles.claim(channel.sftp(), this.path + "/a", this.path + "/b")).isTrue();
		}
		assertThat(root.resolve("taken")).hasContent("other");
		assertThat(root.resolve("b")).hasContent("content");
	}

}
