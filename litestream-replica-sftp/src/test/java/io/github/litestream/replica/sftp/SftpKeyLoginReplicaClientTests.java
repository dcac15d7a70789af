package io.github.litestream.replica.sftp;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaClientContractTest;
import io.github.litestream.replica.ReplicaOperationListener;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link ReplicaClientContractTest} against the in-process SFTP server, logging in with an
 * Ed25519 private key file ({@code key-path}) instead of a password.
 */
class SftpKeyLoginReplicaClientTests extends ReplicaClientContractTest {

	@RegisterExtension
	static final SftpTestServer server = new SftpTestServer();

	private String path;

	@Override
	protected ReplicaClient createClient() {
		this.path = server.newReplicaPath();
		return SftpReplicaClient.open(server.keyConfig(this.path).build(), ReplicaOperationListener.NONE);
	}

	@Override
	protected void putRawObject(String key, byte[] content) throws Exception {
		Path file = server.file(this.path + "/" + key);
		Files.createDirectories(file.getParent());
		Files.write(file, content);
	}

	@Override
	protected int manySegmentCount() {
		return 50;
	}

}
