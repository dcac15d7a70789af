package io.github.litestream.replica.s3;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link AbstractS3ReplicationTests} against S3Proxy running in this JVM.
 */
class S3ReplicationTests extends AbstractS3ReplicationTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@Override
	S3TestStore store() {
		return server;
	}

}
