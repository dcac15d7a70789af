package io.github.litestream.replica.s3;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.github.litestream.AppDatabase;
import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.SynchronousKill;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A commit that returned under synchronous replication to S3 (S3Proxy) survives a SIGKILL
 * right after it, though no timer could have shipped it: 20 of 20 times.
 */
class S3SynchronousCommitCrashTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@TempDir
	Path dir;

	@Test
	void everyCommitThatReturnedIsInTheBucketAfterSigkill() throws Exception {
		SplittableRandom random = new SplittableRandom(16);
		Map<String, String> credentials = Map.of("LITESTREAM_ACCESS_KEY_ID", server.accessKeyId(),
				"LITESTREAM_SECRET_ACCESS_KEY", server.secretAccessKey());
		for (int round = 1; round <= 20; round++) {
			String bucket = server.createBucket();
			Path roundDir = Files.createDirectories(this.dir.resolve("round-" + round));
			long seq = random.nextInt(1, 12);
			SynchronousKill.afterCommit(S3SynchronousWriter.class, roundDir,
					List.of("s3://" + bucket + "/db", server.endpoint().toString()), credentials, seq);
			S3ReplicaConfig config = server.config(bucket, "db");
			Path restored = roundDir.resolve("restored.db");
			try (S3ReplicaClient client = new S3ReplicaClient(S3ClientFactory.withDefaults().create(config), config,
					ReplicaOperationListener.NONE)) {
				new Restorer().restore(client, RestoreOptions.latest(restored));
			}
			Summary summary = AppDatabase.summarize(restored);
			assertThat(summary.integrity()).isEqualTo("ok");
			assertThat(summary.isGapFreePrefix()).as("round %d: %s", round, summary).isTrue();
			assertThat(summary.max()).as("round %d: commit %d returned before the kill", round, seq)
				.isGreaterThanOrEqualTo(seq);
		}
	}

}
