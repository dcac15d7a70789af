package io.github.litestream.replica.s3;

import java.nio.file.Path;

import io.github.litestream.SynchronousWriter;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Child process: the {@link SynchronousWriter}, replicating to S3.
 * <p>Arguments: database, {@code s3://bucket/path}, S3 endpoint; credentials in
 * {@code LITESTREAM_ACCESS_KEY_ID} and {@code LITESTREAM_SECRET_ACCESS_KEY}.
 */
public final class S3SynchronousWriter {

	private S3SynchronousWriter() {
	}

	public static void main(String[] args) throws Exception {
		S3ReplicaConfig config = S3ReplicaConfig.builder().url(args[1]).endpoint(args[2]).forcePathStyle(true).build();
		SynchronousWriter.run(Path.of(args[0]),
				new S3ReplicaClient(S3ClientFactory.withDefaults().create(config), config, ReplicaOperationListener.NONE));
	}

}
