package io.github.litestream.replica.s3;

import java.nio.file.Path;

import io.github.litestream.FollowAndTakeOver;
import io.github.litestream.replica.ReplicaOperationListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code ReplicaFollower} follows a primary through S3Proxy in this JVM, is one committed
 * state at random moments, and hands over to an engine that continues the generation
 * ({@link FollowAndTakeOver}).
 */
class S3ReplicaFollowerTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@TempDir
	Path dir;

	@Test
	void followsAPrimaryAtEveryMomentAndTakesOverItsGeneration() throws Exception {
		S3ReplicaConfig config = server.config(server.createBucket(), "follow/app");
		new FollowAndTakeOver(this.dir).run(client(config), () -> client(config));
	}

	private static S3ReplicaClient client(S3ReplicaConfig config) {
		return new S3ReplicaClient(S3ClientFactory.withDefaults().create(config), config,
				ReplicaOperationListener.NONE);
	}

}
