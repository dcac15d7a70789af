package io.github.litestream.replica.s3;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.github.litestream.StandbyScenario;
import io.github.litestream.StandbyScenario.Result;
import io.github.litestream.replica.ReplicaOperationListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code Standby} on an S3Proxy replica ({@link StandbyScenario}): it follows a child JVM
 * primary and takes over after its SIGTERM with nothing lost and after its SIGKILL with
 * everything that reached the bucket; the new primary continues the generation with the next
 * epoch of the lease, and the bucket's objects, laid out as the stock Litestream CLI reads them,
 * restore to its last commit with our restore and as the stock CLI does.
 */
class S3StandbyTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@TempDir
	Path dir;

	@Test
	void takesOverAfterSigtermOfChildPrimaryWithNothingLost() throws Exception {
		assertThat(takeOver(false).keptState()).isPositive();
	}

	@Test
	void takesOverAfterSigkillOfChildPrimaryWithEverythingThatReachedTheBucket() throws Exception {
		assertThat(takeOver(true).keptState()).isPositive();
	}

	private Result takeOver(boolean kill) throws Exception {
		String bucket = server.createBucket();
		S3ReplicaConfig config = server.config(bucket, "app");
		StandbyScenario scenario = new StandbyScenario(this.dir, new S3ReplicaObjects(config));
		Result result = scenario.childPrimary(S3GracefulWriter.class, "s3://" + bucket + "/app",
				List.of(server.endpoint().toString()), Map.of("LITESTREAM_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY_ID, "LITESTREAM_SECRET_ACCESS_KEY",
						S3ProxyServer.SECRET_ACCESS_KEY),
				kill, () -> client(config));
		System.out.println("Standby took over " + result + " after the primary's "
				+ (kill ? "SIGKILL" : "SIGTERM"));
		return result;
	}

	private static S3ReplicaClient client(S3ReplicaConfig config) {
		return new S3ReplicaClient(S3ClientFactory.withDefaults().create(config), config,
				ReplicaOperationListener.NONE);
	}

}
