package io.github.litestream.benchmarks;

import java.nio.file.Path;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.file.FileReplicaClient;

/**
 * Where a scenario replicates to.
 */
enum Backend {

	/** A directory on the same disk. */
	FILE,

	/** S3Proxy in this JVM. */
	S3;

	/**
	 * A client for a new, empty replica of this kind.
	 * @param dir a fresh directory (used by the file replica)
	 * @param s3 the S3 server (used by the S3 replica)
	 * @param counter counts the client's requests
	 * @return the client
	 */
	ReplicaClient newClient(Path dir, S3Server s3, OperationCounter counter) {
		return (this == FILE) ? new FileReplicaClient(dir, counter) : s3.newReplica(counter);
	}

	String label() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}

}
