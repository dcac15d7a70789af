package io.github.litestream.boot.testbackend;

import java.nio.file.Path;

import javax.sql.DataSource;

import io.github.litestream.boot.autoconfigure.LitestreamAutoConfiguration;
import io.github.litestream.boot.autoconfigure.ReplicaClientFactory;
import io.github.litestream.boot.autoconfigure.ReplicationTestApplication;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend added the way the SPI promises: one provider bean, its own keys, its own checks,
 * and no change to the starter's shared classes. The provider lives outside the starter's
 * package, so it can only use the public SPI.
 */
class SecondBackendTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
		.withUserConfiguration(FolderBackend.class);

	@Test
	void replicatesThroughTheRegisteredProviderAndItsOwnKeys() throws Exception {
		Path db = this.dir.resolve("app.db");
		Path root = this.dir.resolve("root");
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ReplicationTestApplication.class,
				FolderBackend.class)
			.web(WebApplicationType.NONE)
			.properties("spring.datasource.url=jdbc:sqlite:" + db, "litestream.dbs[0].replicas[0].type=folder",
					"litestream.dbs[0].replicas[0].root=" + root,
					"litestream.dbs[0].replicas[0].account-name=acme")
			.run()) {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			jdbc.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
			for (int i = 0; i < 50; i++) {
				jdbc.update("INSERT INTO item (text) VALUES (?)", "row-" + i);
			}
		}
		// the shutdown flushed everything to root/acme, in Litestream's layout
		Path restored = this.dir.resolve("restored.db");
		try (FileReplicaClient client = new FileReplicaClient(root.resolve("acme"))) {
			new Restorer().restore(client, RestoreOptions.latest(restored));
		}
		JdbcTemplate jdbc = new JdbcTemplate(
				new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + restored));
		assertThat(jdbc.queryForObject("SELECT count(*) FROM item", Long.class)).isEqualTo(50);
	}

	@Test
	void theProvidersTypeAndSchemeAreKnownAndItsKeysInferIt() {
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("a.db"),
					"litestream.dbs[0].replicas[0].url=folder://acme", "litestream.dbs[0].replicas[0].root=" + this.dir,
					"litestream.dbs[1].path=" + this.dir.resolve("b.db"),
					"litestream.dbs[1].replicas[0].root=" + this.dir,
					"litestream.dbs[1].replicas[0].accountName=other")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ReplicaClientFactory.class).types()).contains("file", "folder");
			});
	}

	@Test
	void theProvidersOwnCheckNamesItsKey() {
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("a.db"),
					"litestream.dbs[0].replicas[0].type=folder", "litestream.dbs[0].replicas[0].root=" + this.dir)
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("litestream.dbs[0].replicas[0].account-name")
				.hasMessageContaining("needs an account"));
	}

	@Test
	void itsKeysAreUnknownToOtherTypesAndTheErrorPointsAtIt() {
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("a.db"),
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
					"litestream.dbs[0].replicas[0].type=file", "litestream.dbs[0].replicas[0].account-name=acme")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("litestream.dbs[0].replicas[0].account-name is not a key of replicas of type 'file'"));
	}

	@Test
	void keysOfOtherTypesAreUnknownToIt() {
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("a.db"),
					"litestream.dbs[0].replicas[0].url=folder://acme", "litestream.dbs[0].replicas[0].root=" + this.dir,
					"litestream.dbs[0].replicas[0].bucket=b")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("litestream.dbs[0].replicas[0].bucket is not a key of replicas of type 'folder'"));
	}

	@Configuration(proxyBeanMethods = false)
	static class FolderBackend {

		@Bean
		FolderReplicaClientProvider folderReplicaClientProvider() {
			return new FolderReplicaClientProvider();
		}

	}

}
