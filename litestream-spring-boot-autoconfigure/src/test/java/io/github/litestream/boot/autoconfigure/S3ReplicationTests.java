package io.github.litestream.boot.autoconfigure;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.github.litestream.replica.s3.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * S3 replicas configured through {@code litestream.*}, against S3Proxy running in this JVM.
 */
class S3ReplicationTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@TempDir
	Path dir;

	@Test
	void replicatesToS3AndRestoresFromItOnTheNextBoot() throws Exception {
		String bucket = server.createBucket();
		Path db = this.dir.resolve("data/app.db");
		String[] properties = { "spring.datasource.url=jdbc:sqlite:" + db,
				"litestream.access-key-id=" + S3ProxyServer.ACCESS_KEY_ID,
				"litestream.secret-access-key=" + S3ProxyServer.SECRET_ACCESS_KEY,
				"litestream.dbs[0].replicas[0].url=s3://" + bucket + "/backups/app",
				"litestream.dbs[0].replicas[0].endpoint=" + server.endpoint() };
		long last;
		try (ConfigurableApplicationContext context = run(properties)) {
			last = ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 100);
			assertThat(context.getBean(CountingCustomizer.class).calls).hasPositiveValue();
		}
		FileSystemUtils.deleteRecursively(db.getParent());
		try (ConfigurableApplicationContext context = run(properties)) {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(jdbc.queryForObject("SELECT max(id) FROM item", Long.class)).isEqualTo(last);
		}
	}

	@Test
	void anS3OutageDuringRestoreOnBootIsReportedAsARestoreFailureWithoutSecrets() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		Path db = this.dir.resolve("data/app.db");
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withPropertyValues("litestream.dbs[0].path=" + db,
					"litestream.dbs[0].replicas[0].url=s3://outage-bucket/backups/app",
					"litestream.dbs[0].replicas[0].endpoint=http://127.0.0.1:" + closedPort,
					"litestream.dbs[0].replicas[0].access-key-id=AKIDOUTAGETEST",
					"litestream.dbs[0].replicas[0].secret-access-key=outage-secret-key")
			.run((context) -> {
				FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.startsWith("could not restore " + db + " from replica 's3' (s3://outage-bucket/backups/app): ");
				assertThat(analysis.getAction()).contains("Make replica 's3' readable and restart")
					.contains("litestream.dbs[0].restore.enabled=false");
				assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain("outage-secret-key",
						"AKIDOUTAGETEST");
				assertThat(db).doesNotExist();
			});
	}

	@Test
	void withoutTheAwsSdkFileReplicasWorkAndS3ReplicasExplainWhatIsMissing() {
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("software.amazon.awssdk"));
		runner.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("a.db"),
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ReplicaClientFactory.class).types()).contains("file").doesNotContain("s3");
			});
		runner.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("b.db"),
				"litestream.dbs[0].replicas[0].url=s3://bucket/path")
			.run((context) -> {
				var analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("litestream.dbs[0].replicas[0].type")
					.contains("AWS SDK");
				assertThat(analysis.getAction()).contains("software.amazon.awssdk:s3");
			});
	}

	private static ConfigurableApplicationContext run(String... properties) {
		return new SpringApplicationBuilder(ReplicationTestApplication.class, CountingCustomizer.class)
			.web(WebApplicationType.NONE)
			.properties(properties)
			.run();
	}

	@Configuration(proxyBeanMethods = false)
	static class CountingCustomizer {

		final AtomicInteger calls = new AtomicInteger();

		@Bean
		S3ReplicaClientCustomizer countingS3ReplicaClientCustomizer() {
			return (builder) -> this.calls.incrementAndGet();
		}

	}

}
