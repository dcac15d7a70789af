package io.github.litestream.replica.s3;

import io.github.litestream.GracefulWriter;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Child process: the {@link GracefulWriter} (a primary that stops cleanly on SIGTERM),
 * replicating to S3.
 * <p>Arguments: database, {@code s3://bucket/path}, history log, S3 endpoint; credentials in
 * {@code LITESTREAM_ACCESS_KEY_ID} and {@code LITESTREAM_SECRET_ACCESS_KEY}.
 */
public final class S3GracefulWriter {

	private S3GracefulWriter() {
	}

	public static void main(String[] args) throws Exception {
		S3ReplicaConfig config = S3ReplicaConfig.builder().url(args[1]).endpoint(args[3]).forcePathStyle(true).build();
		GracefulWriter.run(args,
				new S3ReplicaClient(S3ClientFactory.withDefaults().create(config), config, ReplicaOperationListener.NONE));
	}

}
