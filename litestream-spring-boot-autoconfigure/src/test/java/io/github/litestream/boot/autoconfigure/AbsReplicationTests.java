package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.boot.actuate.LitestreamEndpoint;
import io.github.litestream.boot.actuate.LitestreamEndpoint.ReplicaDescriptor;
import io.github.litestream.boot.actuate.ReplicaLagTracker;
import io.github.litestream.replica.abs.AzuriteServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Azure Blob Storage replicas configured through {@code litestream.*} with Litestream's keys,
 * against Azurite: replicate, boot again without the database, restore; the endpoint shows the
 * replica without its key; configuration and restore errors name the property to fix.
 */
class AbsReplicationTests {

	@RegisterExtension
	static final AzuriteServer azurite = new AzuriteServer();

	@TempDir
	Path dir;

	@Test
	void replicatesToAzureAndRestoresFromItOnTheNextBoot() throws Exception {
		String container = azurite.createContainer();
		Path db = this.dir.resolve("data/app.db");
		String[] properties = { "spring.datasource.url=jdbc:sqlite:" + db,
				"litestream.dbs[0].replicas[0].url=abs://" + AzuriteServer.ACCOUNT_NAME + "@" + container + "/backups/app",
				"litestream.dbs[0].replicas[0].endpoint=" + azurite.endpoint(),
				"LITESTREAM_AZURE_ACCOUNT_KEY=" + AzuriteServer.ACCOUNT_KEY };
		long last;
		try (ConfigurableApplicationContext context = run(properties)) {
			last = ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 100);
			Litestream litestream = context.getBean(Litestream.class);
			ReplicaDescriptor replica = new LitestreamEndpoint(litestream, new ReplicaLagTracker(litestream, Clock.systemUTC()))
				.litestream()
				.databases()
				.get(0)
				.replicas()
				.get(0);
			assertThat(replica.type()).isEqualTo("abs");
			assertThat(replica.location())
				.isEqualTo("abs://" + AzuriteServer.ACCOUNT_NAME + "@" + container + "/backups/app");
			assertThat(replica.toString()).doesNotContain(AzuriteServer.ACCOUNT_KEY);
		}
		assertThat(azurite.container(container).listBlobs().stream().map((blob) -> blob.getName()))
			.anyMatch((name) -> name.startsWith("backups/app/generations/") && name.endsWith(".snapshot.lz4"));
		FileSystemUtils.deleteRecursively(db.getParent());
		try (ConfigurableApplicationContext context = run(properties)) {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(jdbc.queryForObject("SELECT max(id) FROM item", Long.class)).isEqualTo(last);
		}
	}

	@Test
	void aMissingContainerAtRestoreOnBootNamesTheContainerAndBucketWithoutTheKey() {
		Path db = this.dir.resolve("data/app.db");
		String missing = "missing" + System.nanoTime();
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withPropertyValues("litestream.dbs[0].path=" + db,
					"litestream.dbs[0].replicas[0].type=abs",
					"litestream.dbs[0].replicas[0].account-name=" + AzuriteServer.ACCOUNT_NAME,
					"litestream.dbs[0].replicas[0].account-key=" + AzuriteServer.ACCOUNT_KEY,
					"litestream.dbs[0].replicas[0].bucket=" + missing,
					"litestream.dbs[0].replicas[0].path=backups/app",
					"litestream.dbs[0].replicas[0].endpoint=" + azurite.endpoint())
			.run((context) -> {
				FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("replica 'abs'")
					.contains("container '" + missing + "' does not exist")
					.contains("'bucket'");
				assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain(AzuriteServer.ACCOUNT_KEY);
				assertThat(db).doesNotExist();
			});
	}

	@Test
	void anEntryWithAccountNameIsAnAzureReplicaWithoutType() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("a.db"),
					"litestream.dbs[0].replicas[0].account-name=acct",
					"litestream.dbs[0].replicas[0].bucket=container",
					"litestream.dbs[0].replicas[0].account-key=not base64 and secret",
					"litestream.dbs[0].restore.enabled=false")
			.run((context) -> {
				FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("litestream.dbs[0].replicas[0].account-key")
					.contains("not base64")
					.doesNotContain("not base64 and secret");
			});
	}

	@Test
	void anEntryWithOnlyABucketStaysAnS3ReplicaThoughAzureHasTheKeyToo() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("a.db"),
					"litestream.dbs[0].replicas[0].bucket=bucket", "litestream.dbs[0].replicas[0].path=backups/app",
					"litestream.dbs[0].replicas[0].endpoint=http://127.0.0.1:9", "litestream.dbs[0].restore.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(LitestreamDatabases.class).databases().get(0).replicas())
					.singleElement()
					.satisfies((replica) -> assertThat(replica.type()).isEqualTo("s3"));
			});
	}

	private static ConfigurableApplicationContext run(String... properties) {
		return new SpringApplicationBuilder(ReplicationTestApplication.class).web(WebApplicationType.NONE)
			.properties(properties)
			.run();
	}

}
