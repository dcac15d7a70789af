package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.litestream.boot.actuate.LitestreamEndpoint;
import io.github.litestream.boot.actuate.LitestreamEndpoint.ReplicaDescriptor;
import io.github.litestream.boot.actuate.LitestreamEndpointAutoConfiguration;
import io.github.litestream.boot.actuate.LitestreamMetrics;
import io.github.litestream.boot.actuate.LitestreamMetricsAutoConfiguration;
import io.github.litestream.boot.actuate.LitestreamReplicaLagAutoConfiguration;
import io.github.litestream.replica.sftp.SftpTestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
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
import static org.awaitility.Awaitility.await;

/**
 * SFTP replicas configured through {@code litestream.*} in a real application, against the
 * in-process SFTP server: by url with a password, and by Litestream's keys (the type inferred
 * from them) with a private key.
 * The application replicates, stops, loses its database, and restores it on the next boot; the
 * endpoint and the metrics describe the replica as they do an S3 one, without the password.
 */
class SftpReplicationTests {

	@RegisterExtension
	static final SftpTestServer server = new SftpTestServer();

	@TempDir
	Path dir;

	@Test
	void byUrlWithAPassword() throws Exception {
		String path = server.newReplicaPath();
		replicateAndRestore(path, "litestream.dbs[0].replicas[0].url=" + server.url(path),
				"litestream.dbs[0].replicas[0].password=" + SftpTestServer.PASSWORD,
				"litestream.dbs[0].replicas[0].known-hosts-path=" + server.knownHosts());
	}

	@Test
	void byKeysWithAPrivateKeyAndAPinnedHostKeyAndNoType() throws Exception {
		String path = server.newReplicaPath();
		replicateAndRestore(path, "litestream.dbs[0].replicas[0].host=" + server.host(),
				"litestream.dbs[0].replicas[0].user=" + SftpTestServer.USER,
				"litestream.dbs[0].replicas[0].key-path=" + server.keyFile(),
				"litestream.dbs[0].replicas[0].path=" + path,
				"litestream.dbs[0].replicas[0].host-key=" + server.hostKeyLine());
	}

	@Test
	void withoutTheSftpModuleAnSftpReplicaSaysWhatIsMissing() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(LitestreamAutoConfiguration.class, LitestreamSftpReplicaAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("io.github.litestream.replica.sftp"))
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("a.db"),
					"litestream.dbs[0].replicas[0].url=sftp://u:hunter2@example.com/p")
			.run((context) -> {
				FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("litestream.dbs[0].replicas[0].type")
					.contains("litestream-replica-sftp");
				assertThat(analysis.getAction()).contains("io.github.litestream:litestream-replica-sftp");
				assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain("hunter2");
			});
	}

	private void replicateAndRestore(String remotePath, String... replica) throws Exception {
		Path db = this.dir.resolve("data/app.db");
		String[] properties = Stream.concat(Stream.of("spring.datasource.url=jdbc:sqlite:" + db,
				"management.endpoints.web.exposure.include=litestream"), Stream.of(replica))
			.toArray(String[]::new);
		long last;
		try (ConfigurableApplicationContext context = run(properties)) {
			assertThat(context.getBean(ReplicaClientFactory.class).types()).contains("sftp");
			last = ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 100);
			List<ReplicaDescriptor> replicas = context.getBean(LitestreamEndpoint.class)
				.litestream()
				.databases()
				.get(0)
				.replicas();
			assertThat(replicas).singleElement().satisfies((descriptor) -> {
				assertThat(descriptor.type()).isEqualTo("sftp");
				assertThat(descriptor.location())
					.isEqualTo("sftp://" + SftpTestServer.USER + "@" + server.host() + remotePath);
				assertThat(descriptor.toString()).doesNotContain(SftpTestServer.PASSWORD);
			});
			SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
			await().untilAsserted(() -> assertThat(registry.get("litestream.replica.operation.bytes")
				.tag("replica", "sftp")
				.tag("operation", "PUT")
				.functionCounter()
				.count()).isPositive());
		}
		assertThat(server.file(remotePath + "/generations")).isDirectory();
		FileSystemUtils.deleteRecursively(db.getParent());
		try (ConfigurableApplicationContext context = run(properties)) {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(jdbc.queryForObject("SELECT max(id) FROM item", Long.class)).isEqualTo(last);
		}
	}

	private static ConfigurableApplicationContext run(String... properties) {
		return new SpringApplicationBuilder(ReplicationTestApplication.class, WithActuator.class)
			.web(WebApplicationType.NONE)
			.properties(properties)
			.run();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ LitestreamSftpReplicaAutoConfiguration.class, LitestreamReplicaLagAutoConfiguration.class,
			LitestreamEndpointAutoConfiguration.class, LitestreamMetricsAutoConfiguration.class })
	static class WithActuator {

		@Bean
		SimpleMeterRegistry simpleMeterRegistry(LitestreamMetrics metrics) {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			metrics.bindTo(registry);
			return registry;
		}

	}

}
