package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;

import javax.sql.DataSource;

import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3ProxyServer;
import io.github.litestream.replica.s3.S3ReplicaClient;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.service.connection.ConnectionDetailsFactory;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link LitestreamS3ConnectionDetails} bean, which a service connection contributes (see
 * {@code MinioServiceConnectionTests} for the MinIO container), is the store of every S3
 * replica without its own endpoint, and its credentials replace {@code litestream.*}'s. Here
 * the bean is declared by hand and points at S3Proxy, so this runs without Docker.
 */
class S3ConnectionDetailsTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@TempDir
	Path dir;

	@Test
	void theMinioFactoryIsRegisteredForServiceConnections() {
		// Without Docker the container can't run here; this at least proves Spring Boot finds
		// and can create the factory that MinioServiceConnectionTests uses.
		assertThat(SpringFactoriesLoader.forDefaultResourceLocation()
			// Spring Boot's own Docker Compose factories need a module absent here: skip them, as
			// Spring Boot does.
			.load(ConnectionDetailsFactory.class, FailureHandler.handleMessage((message, failure) -> {
			})))
			.extracting((factory) -> factory.getClass().getName())
			.contains("io.github.litestream.boot.testcontainers.MinioLitestreamS3ConnectionDetailsFactory");
	}

	@Test
	void replicasWithoutAnEndpointUseTheConnectionAndItsCredentials() throws Exception {
		String bucket = server.createBucket();
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, LitestreamAutoConfiguration.class))
			.withBean(LitestreamS3ConnectionDetails.class, () -> new LitestreamS3ConnectionDetails() {
				@Override
				public String endpoint() {
					return server.endpoint().toString();
				}

				@Override
				public String accessKeyId() {
					return S3ProxyServer.ACCESS_KEY_ID;
				}

				@Override
				public String secretAccessKey() {
					return S3ProxyServer.SECRET_ACCESS_KEY;
				}
			})
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("data/app.db"),
					"litestream.access-key-id=replaced-by-the-connection",
					"litestream.secret-access-key=wrong-secret",
					"litestream.dbs[0].replicas[0].url=s3://" + bucket + "/app")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				S3ReplicaConfig config = context.getBean(LitestreamDatabases.class)
					.databases()
					.get(0)
					.replicas()
					.get(0)
					.backend(S3ReplicaConfig.class);
				assertThat(config.endpoint()).isEqualTo(server.endpoint().toString());
				assertThat(config.forcePathStyle()).isTrue();
				assertThat(config.toString()).doesNotContain(S3ProxyServer.SECRET_ACCESS_KEY);
				ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 12);
			});
		Path restored = this.dir.resolve("restored.db");
		S3ReplicaConfig config = server.config(bucket, "app");
		try (S3Client s3 = S3ClientFactory.withDefaults().create(config);
				S3ReplicaClient client = new S3ReplicaClient(s3, config, ReplicaOperationListener.NONE)) {
			new Restorer().restore(client, RestoreOptions.latest(restored));
		}
		assertThat(new JdbcTemplate(new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + restored))
			.queryForObject("SELECT count(*) FROM item", Long.class)).isEqualTo(12);
	}

}
