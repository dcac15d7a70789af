package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;

/**
 * Creates {@code file} replicas: a directory holding Litestream's replica layout.
 */
final class FileReplicaClientProvider implements ReplicaClientProvider {

	@Override
	public String type() {
		return "file";
	}

	@Override
	public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
		return new FileReplicaClient(Path.of(settings.path()).toAbsolutePath().normalize(), listener);
	}

}
