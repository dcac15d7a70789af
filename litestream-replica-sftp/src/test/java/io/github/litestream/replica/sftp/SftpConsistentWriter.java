package io.github.litestream.replica.sftp;

import java.nio.file.Path;

import io.github.litestream.ConsistentWriter;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Child process: the {@link ConsistentWriter}, replicating over SFTP.
 * <p>Arguments: database, {@code sftp://user@host:port/path}, history log, known hosts file;
 * the password in {@code LITESTREAM_SFTP_PASSWORD}.
 */
public final class SftpConsistentWriter {

	private SftpConsistentWriter() {
	}

	public static void main(String[] args) throws Exception {
		SftpReplicaConfig config = SftpReplicaConfig.builder()
			.url(args[1])
			.password(System.getenv("LITESTREAM_SFTP_PASSWORD"))
			.hostKeys(new HostKeyPolicy(Path.of(args[3]), null, false))
			.build();
		ConsistentWriter.run(args, SftpReplicaClient.open(config, ReplicaOperationListener.NONE));
	}

}
