package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.nio.file.Path;

import javax.sql.DataSource;

import io.awspring.cloud.autoconfigure.core.AwsAutoConfiguration;
import io.awspring.cloud.autoconfigure.core.CredentialsProviderAutoConfiguration;
import io.awspring.cloud.autoconfigure.core.RegionProviderAutoConfiguration;
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
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application that configures AWS through Spring Cloud AWS (its own auto-configuration,
 * against S3Proxy) need not repeat it for Litestream: an S3 replica that sets nothing of its
 * own uses Spring Cloud AWS's endpoint, path-style, region and credentials, and everything
 * Litestream's own keys set wins over them. Wrong credentials or a closed port where the
 * losing setting points make sure the winner really was used: S3Proxy checks signatures.
 */
class SpringCloudAwsReplicationTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	private static final String WRONG_SECRET = "wrong-secret-key";

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AwsAutoConfiguration.class, CredentialsProviderAutoConfiguration.class,
				RegionProviderAutoConfiguration.class, DataSourceAutoConfiguration.class,
				LitestreamAutoConfiguration.class));

	@Test
	void replicaWithoutSettingsOfItsOwnUsesSpringCloudAwsForEverything() throws Exception {
		String bucket = server.createBucket();
		this.runner
			.withPropertyValues(database(), "litestream.dbs[0].replicas[0].url=s3://" + bucket + "/app",
					"spring.cloud.aws.credentials.access-key=" + S3ProxyServer.ACCESS_KEY_ID,
					"spring.cloud.aws.credentials.secret-key=" + S3ProxyServer.SECRET_ACCESS_KEY,
					"spring.cloud.aws.region.static=eu-west-3", "spring.cloud.aws.s3.endpoint=" + server.endpoint(),
					"spring.cloud.aws.s3.path-style-access-enabled=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				S3ReplicaConfig config = replicaConfig(context);
				assertThat(config.endpoint()).isEqualTo(server.endpoint().toString());
				assertThat(config.region()).isEqualTo("eu-west-3");
				assertThat(config.forcePathStyle()).isTrue();
				assertThat(config.hasCredentials()).as("credentials come from Spring Cloud AWS's provider").isFalse();
				ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 20);
			});
		assertThat(restoredRows(bucket)).isEqualTo(20);
	}

	@Test
	void replicaKeysWinOverSpringCloudAws() throws Exception {
		String bucket = server.createBucket();
		this.runner
			.withPropertyValues(database(), "litestream.dbs[0].replicas[0].url=s3://" + bucket + "/app",
					"litestream.dbs[0].replicas[0].endpoint=" + server.endpoint(),
					"litestream.dbs[0].replicas[0].region=eu-central-1",
					"litestream.dbs[0].replicas[0].force-path-style=true",
					"litestream.dbs[0].replicas[0].access-key-id=" + S3ProxyServer.ACCESS_KEY_ID,
					"litestream.dbs[0].replicas[0].secret-access-key=" + S3ProxyServer.SECRET_ACCESS_KEY,
					"spring.cloud.aws.credentials.access-key=" + S3ProxyServer.ACCESS_KEY_ID,
					"spring.cloud.aws.credentials.secret-key=" + WRONG_SECRET,
					"spring.cloud.aws.region.static=us-west-2", "spring.cloud.aws.s3.endpoint=" + closedPort(),
					"spring.cloud.aws.s3.path-style-access-enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				S3ReplicaConfig config = replicaConfig(context);
				assertThat(config.endpoint()).isEqualTo(server.endpoint().toString());
				assertThat(config.region()).isEqualTo("eu-central-1");
				assertThat(config.forcePathStyle()).isTrue();
				ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 10);
			});
		assertThat(restoredRows(bucket)).isEqualTo(10);
	}

	@Test
	void aReplicaWithItsOwnEndpointTakesNoneOfSpringCloudAwsStoreSettings() {
		this.runner
			.withPropertyValues(database(), "spring.cloud.aws.region.static=us-west-2",
					"spring.cloud.aws.s3.endpoint=" + closedPort(), "spring.cloud.aws.s3.path-style-access-enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				S3ReplicaConfig config = configure(context, Map.of("endpoint", "http://minio.example:9000"));
				assertThat(config.endpoint()).isEqualTo("http://minio.example:9000");
				assertThat(config.region()).as("an endpoint's own default region applies later").isNull();
				assertThat(config.forcePathStyle()).as("path-style by default with an endpoint").isTrue();
			});
	}

	@Test
	void litestreamKeysWinOverSpringCloudAwsCredentials() throws Exception {
		String bucket = server.createBucket();
		this.runner
			.withPropertyValues(database(), "litestream.dbs[0].replicas[0].url=s3://" + bucket + "/app",
					"litestream.access-key-id=" + S3ProxyServer.ACCESS_KEY_ID,
					"litestream.secret-access-key=" + S3ProxyServer.SECRET_ACCESS_KEY,
					"spring.cloud.aws.credentials.access-key=" + S3ProxyServer.ACCESS_KEY_ID,
					"spring.cloud.aws.credentials.secret-key=" + WRONG_SECRET,
					"spring.cloud.aws.region.static=us-east-1", "spring.cloud.aws.endpoint=" + server.endpoint())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(replicaConfig(context).endpoint()).as("spring.cloud.aws.endpoint is the fallback of s3's")
					.isEqualTo(server.endpoint().toString());
				ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 5);
			});
		assertThat(restoredRows(bucket)).isEqualTo(5);
	}

	@Test
	void springCloudAwsS3RegionWinsOverItsApplicationWideRegion() {
		this.runner
			.withPropertyValues(database(), "spring.cloud.aws.region.static=us-west-2",
					"spring.cloud.aws.s3.region=ap-south-1")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				S3ReplicaConfig config = configure(context, Map.of());
				assertThat(config.region()).isEqualTo("ap-south-1");
				assertThat(config.endpoint()).isNull();
			});
	}

	@Test
	void withoutSpringCloudAwsItsKeysConfigureNothing() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("io.awspring.cloud"))
			.withPropertyValues("spring.cloud.aws.s3.endpoint=" + server.endpoint(),
					"spring.cloud.aws.s3.region=ap-south-1", "spring.cloud.aws.s3.path-style-access-enabled=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				S3ReplicaConfig config = configure(context, Map.of());
				assertThat(config.endpoint()).isNull();
				assertThat(config.region()).isNull();
				assertThat(config.forcePathStyle()).isFalse();
			});
	}

	/**
	 * What the context's S3 provider makes of {@code s3://bucket/app} with the given replica
	 * keys. The context has no {@code litestream.dbs}, so it replicates nothing and calls no
	 * store, and Spring Cloud AWS's settings can point anywhere.
	 */
	private static S3ReplicaConfig configure(ApplicationContext context, Map<String, String> keys) {
		String prefix = "litestream.dbs[0].replicas[0]";
		Map<String, String> source = new LinkedHashMap<>();
		keys.forEach((key, value) -> source.put(prefix + "." + key, value));
		Binder binder = new Binder(new MapConfigurationPropertySource(source));
		return context.getBean(S3ReplicaClientProvider.class)
			.configure(new ReplicaEntry(prefix, "s3", URI.create("s3://bucket/app"), null, binder));
	}

	private String database() {
		return "spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("data/app.db");
	}

	private static S3ReplicaConfig replicaConfig(ApplicationContext context) {
		return context.getBean(LitestreamDatabases.class)
			.databases()
			.get(0)
			.replicas()
			.get(0)
			.backend(S3ReplicaConfig.class);
	}

	/** Restores the bucket's backup with the right credentials, and counts its rows. */
	private long restoredRows(String bucket) throws Exception {
		Path restored = this.dir.resolve("restored-" + bucket + ".db");
		S3ReplicaConfig config = server.config(bucket, "app");
		try (S3Client s3 = S3ClientFactory.withDefaults().create(config);
				S3ReplicaClient client = new S3ReplicaClient(s3, config, ReplicaOperationListener.NONE)) {
			new Restorer().restore(client, RestoreOptions.latest(restored));
		}
		return new JdbcTemplate(new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + restored))
			.queryForObject("SELECT count(*) FROM item", Long.class);
	}

	private static String closedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return "http://127.0.0.1:" + socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
