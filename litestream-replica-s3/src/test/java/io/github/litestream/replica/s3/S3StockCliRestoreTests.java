package io.github.litestream.replica.s3;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.github.litestream.ReplicatedHistory;
import io.github.litestream.StockListings;
import io.github.litestream.StockLitestream;
import io.github.litestream.TableContents;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaOperationListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stock Litestream v0.3 CLI restores an S3 replica the engine wrote (to S3Proxy in this
 * JVM), configured as a v0.3 user names a store other than AWS: a configuration file with the
 * endpoint and path-style addressing, credentials in {@code LITESTREAM_ACCESS_KEY_ID} and
 * {@code LITESTREAM_SECRET_ACCESS_KEY}. The latest state and every index equal what was
 * committed there, and its listings say what this project's listing says. Skipped without the
 * CLI (see {@link StockLitestream}).
 */
@ExtendWith(StockLitestream.Installed.class)
class S3StockCliRestoreTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	private static final String PATH = "backups/app";

	private static final Map<String, String> CREDENTIALS = Map.of("LITESTREAM_ACCESS_KEY_ID",
			S3ProxyServer.ACCESS_KEY_ID, "LITESTREAM_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_ACCESS_KEY);

	@TempDir
	Path dir;

	private StockLitestream litestream;

	private String bucket;

	private S3Client s3;

	private S3ReplicaClient client;

	private ReplicatedHistory history;

	@BeforeEach
	void setUp() throws Exception {
		this.litestream = StockLitestream.require();
		this.bucket = server.createBucket();
		S3ReplicaConfig config = server.config(this.bucket, PATH);
		this.s3 = S3ClientFactory.builder().environment((name) -> null).build().create(config);
		this.client = new S3ReplicaClient(this.s3, config, ReplicaOperationListener.NONE);
		this.history = new ReplicatedHistory(this.dir.resolve("app.db"), this.client);
	}

	@AfterEach
	void tearDown() throws Exception {
		this.history.close();
		this.s3.close();
	}

	@Test
	void restoresTheLatestStateAndEveryIndexFromTheBucket() throws Exception {
		this.history.commit(10);
		this.history.snapshot();
		this.history.commit(10);
		String config = config().toString();
		// The database the engine replicates, as in the user's litestream.yml: the listing
		// commands read its time; -o puts each restore elsewhere.
		String database = this.dir.resolve("app.db").toString();
		assertThat(this.history.atEndOfIndex(this.history.generation())).hasSizeGreaterThanOrEqualTo(4);

		assertThat(this.litestream.restore(this.dir, CREDENTIALS, "-config", config, database))
			.isEqualTo(this.history.contents());
		for (var entry : this.history.atEndOfIndex(this.history.generation()).entrySet()) {
			TableContents restored = this.litestream.restore(this.dir, CREDENTIALS, "-config", config, "-index",
					Pos.hex(entry.getKey()), database);
			assertThat(restored).as("litestream restore -index %s", Pos.hex(entry.getKey())).isEqualTo(entry.getValue());
		}
		StockListings.assertCliListsTheSame(this.litestream, this.client, CREDENTIALS, "-config", config, database);
		assertThat(this.client.snapshots(this.history.generation())).hasSize(2);
	}

	/** A v0.3 configuration for the bucket; the credentials come from the environment. */
	private Path config() throws Exception {
		return Files.writeString(this.dir.resolve("litestream.yml"),
				String.join("\n", "dbs:", "  - path: " + this.dir.resolve("app.db"), "    replicas:",
						"      - type: s3", "        bucket: " + this.bucket, "        path: " + PATH,
						"        endpoint: " + server.endpoint(), "        region: us-east-1",
						"        force-path-style: true", ""));
	}

}
