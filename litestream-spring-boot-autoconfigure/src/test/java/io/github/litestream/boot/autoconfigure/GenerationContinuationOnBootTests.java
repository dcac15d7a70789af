package io.github.litestream.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deploys on an ephemeral disk: every boot finds no database, restores it from the replica,
 * and continues the replica's generation. The replica keeps one generation and its first
 * snapshot through every deploy, migrations that run between the restore and replication
 * included, and its latest restore holds every boot's writes.
 */
class GenerationContinuationOnBootTests {

	@TempDir
	Path dir;

	@Test
	void everyBootOnAnEmptyDiskContinuesTheReplicasGenerationWithoutASnapshot() throws Exception {
		Path replica = this.dir.resolve("replica");
		Path data = this.dir.resolve("data");
		// The first deploy migrates to V1 only; the next one finds V2 pending, and runs it on the
		// restored database before replication starts.
		boot(replica, data, "boot-1", "spring.flyway.target=1");
		FileReplicaClient client = new FileReplicaClient(replica);
		assertThat(client.generations()).hasSize(1);
		String generation = client.generations().get(0);
		assertThat(client.snapshots(generation)).hasSize(1);
		for (String deploy : new String[] { "boot-2", "boot-3" }) {
			deleteTree(data);
			boot(replica, data, deploy, "spring.flyway.target=latest");
			assertThat(client.generations()).as("after %s", deploy).containsExactly(generation);
			assertThat(client.snapshots(generation)).as("no snapshot after %s", deploy).hasSize(1);
		}
		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(client, RestoreOptions.latest(restored));
		JdbcTemplate jdbc = new JdbcTemplate(new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + restored));
		assertThat(jdbc.queryForList("SELECT text FROM note ORDER BY id", String.class))
			.containsExactly("from-migration", "boot-1", "boot-2", "boot-3");
		assertThat(jdbc.queryForList("SELECT version FROM flyway_schema_history ORDER BY installed_rank", String.class))
			.containsExactly("1", "2");
		assertThat(jdbc.queryForObject("PRAGMA integrity_check", String.class)).isEqualTo("ok");
	}

	private void boot(Path replica, Path data, String text, String flywayTarget) {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class,
					LitestreamAutoConfiguration.class))
			.withPropertyValues("spring.flyway.locations=classpath:db/litestream-boot-test", flywayTarget,
					"spring.datasource.url=jdbc:sqlite:" + data.resolve("app.db"),
					"litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				new JdbcTemplate(context.getBean(DataSource.class)).update("INSERT INTO note (text) VALUES (?)", text);
			});
	}

	private static void deleteTree(Path root) throws Exception {
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}

}
