package io.github.litestream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.litestream.AppDatabase;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3ProxyServer;
import io.github.litestream.replica.s3.S3ReplicaClient;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tool on an S3 replica (S3Proxy in-process, checking signatures) that the engine wrote,
 * configured as the application configures it, with the credentials in environment variables:
 * it lists and restores the committed rows, and never prints the secret.
 */
class S3ReplicaTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@TempDir
	Path dir;

	@Test
	void listsAndRestoresAnS3ReplicaConfiguredAsTheApplicationDoes() throws Exception {
		String bucket = server.createBucket();
		Path database = this.dir.resolve("data/app.db");
		Files.createDirectories(database.getParent());
		S3ReplicaConfig s3 = server.config(bucket, "backups/app");
		long rows;
		try (S3Client client = S3ClientFactory.withDefaults().create(s3);
				Litestream litestream = new Litestream();
				AppDatabase app = new AppDatabase(database)) {
			litestream.addDatabase(DatabaseOptions.defaults(database), List.of(new ReplicationTarget(
					new S3ReplicaClient(client, s3, ReplicaOperationListener.NONE), ReplicaOptions.defaults("s3"))));
			litestream.start();
			rows = app.insert(150);
			assertThat(litestream.stop(Duration.ofSeconds(30))).isTrue();
		}
		Path config = Files.writeString(this.dir.resolve("application.yml"), """
				spring:
				  datasource:
				    url: jdbc:sqlite:%s
				litestream:
				  access-key-id: $S3_KEY_ID
				  secret-access-key: $S3_SECRET
				  dbs:
				    - replicas:
				        - url: s3://%s/backups/app
				          endpoint: %s
				""".formatted(database, bucket, server.endpoint()));
		Cli cli = new Cli(Map.of("S3_KEY_ID", S3ProxyServer.ACCESS_KEY_ID, "S3_SECRET", S3ProxyServer.SECRET_ACCESS_KEY));
		Path output = this.dir.resolve("restored.db");

		Cli.Result generations = cli.run("generations", "-config", config.toString(), database.toString());
		Cli.Result restore = cli.run("restore", "-o", output.toString(), "-config", config.toString(),
				database.toString());
		Cli.Result verify = cli.run("verify", "-config", config.toString(), database.toString());

		assertThat(generations.exitCode()).as(generations.toString()).isZero();
		assertThat(generations.out().lines().toList().get(1)).startsWith("s3    ");
		assertThat(restore.exitCode()).as(restore.toString()).isZero();
		AppDatabase.Summary summary = AppDatabase.summarize(output);
		assertThat(summary.isGapFreePrefix()).isTrue();
		assertThat(summary.max()).isEqualTo(rows);
		assertThat(verify.exitCode()).as(verify.toString()).isZero();
		assertThat(verify.out()).contains(" ok ", "equal");
		for (Cli.Result result : List.of(generations, restore, verify)) {
			assertThat(result.out() + result.err()).doesNotContain(S3ProxyServer.SECRET_ACCESS_KEY);
		}
	}

}
