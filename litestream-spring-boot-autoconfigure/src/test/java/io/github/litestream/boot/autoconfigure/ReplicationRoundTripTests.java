package io.github.litestream.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.awaitility.Awaitility;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole story with a real Spring Boot application: write through the application's
 * DataSource, shut down (which flushes to the replica), lose the disk, start again (which
 * restores before anything opens the database), and find every row.
 */
class ReplicationRoundTripTests {

	@TempDir
	Path dir;

	@Test
	void writesAreReplicatedOnShutdownAndRestoredOnTheNextBoot() throws Exception {
		Path db = this.dir.resolve("data/app.db");
		Path replica = this.dir.resolve("replica");
		String[] properties = { "spring.datasource.url=jdbc:sqlite:" + db,
				"litestream.dbs[0].replicas[0].url=file://" + replica,
				// long intervals: only the shutdown flush can ship the last rows
				"litestream.dbs[0].monitor-interval=1h", "litestream.dbs[0].replicas[0].sync-interval=1h" };
		long last;
		try (ConfigurableApplicationContext context = run(properties)) {
			last = ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 250);
		}
		assertThat(replica.resolve("generations")).isDirectory();
		loseTheDisk(db);
		try (ConfigurableApplicationContext context = run(properties)) {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(jdbc.queryForObject("SELECT count(*) FROM item", Long.class)).isEqualTo(250);
			assertThat(jdbc.queryForObject("SELECT max(id) FROM item", Long.class)).isEqualTo(last);
			assertThat(jdbc.queryForObject("PRAGMA integrity_check", String.class)).isEqualTo("ok");
		}
	}

	@Test
	void commitsMadeAfterShutdownBeganAreShippedBeforeTheEngineCloses() throws Exception {
		Path db = this.dir.resolve("app.db");
		Path replica = this.dir.resolve("replica");
		// Hour-long intervals: what reaches the replica is what the shutdown ships.
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ReplicationTestApplication.class,
				LateWriter.class)
			.web(WebApplicationType.NONE)
			.properties("spring.datasource.url=jdbc:sqlite:" + db, "litestream.dbs[0].replicas[0].path=" + replica,
					"litestream.dbs[0].monitor-interval=1h", "litestream.dbs[0].replicas[0].sync-interval=1h")
			.run()) {
			ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 10);
		}
		Path restored = this.dir.resolve("restored.db");
		try (FileReplicaClient client = new FileReplicaClient(replica)) {
			new Restorer().restore(client, RestoreOptions.latest(restored));
		}
		JdbcTemplate jdbc = new JdbcTemplate(new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + restored));
		assertThat(jdbc.queryForList("SELECT text FROM item WHERE id > 10", String.class))
			.containsExactly(LateWriter.ROW);
	}

	/**
	 * Writes a row while the context closes: after Litestream's lifecycle stopped (and
	 * flushed), before the pool closes, as a bean destroyed before its DataSource can.
	 */
	static class LateWriter implements DisposableBean {

		static final String ROW = "written while shutting down";

		private final DataSource dataSource;

		LateWriter(DataSource dataSource) {
			this.dataSource = dataSource;
		}

		@Override
		public void destroy() {
			new JdbcTemplate(this.dataSource).update("INSERT INTO item (text) VALUES (?)", ROW);
		}

	}

	@Test
	void aContextStoppedAndStartedAgainKeepsReplicatingOneDatabase() throws Exception {
		Path db = this.dir.resolve("app.db");
		Path replica = this.dir.resolve("replica");
		try (ConfigurableApplicationContext context = run("spring.datasource.url=jdbc:sqlite:" + db,
				"litestream.dbs[0].replicas[0].path=" + replica)) {
			ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 10);
			context.stop();
			context.start();
			ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 10);
			assertThat(context.getBean(Litestream.class).databases()).hasSize(1);
		}
		Path restored = this.dir.resolve("restored.db");
		try (FileReplicaClient client = new FileReplicaClient(replica)) {
			new Restorer().restore(client, RestoreOptions.latest(restored));
		}
		JdbcTemplate jdbc = new JdbcTemplate(new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + restored));
		assertThat(jdbc.queryForObject("SELECT count(*) FROM item", Long.class)).isEqualTo(20);
	}

	@Test
	void configuredValidationIntervalValidatesTheReplica() {
		Path db = this.dir.resolve("app.db");
		try (ConfigurableApplicationContext context = run("spring.datasource.url=jdbc:sqlite:" + db,
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
				"litestream.dbs[0].monitor-interval=100ms", "litestream.dbs[0].replicas[0].sync-interval=100ms",
				"litestream.dbs[0].replicas[0].validation-interval=1s")) {
			ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 20);
			Litestream litestream = context.getBean(Litestream.class);
			Replica replica = litestream.replicas(litestream.databases().get(0)).get(0);
			Awaitility.await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
				ReplicaStatus.ValidationResult validation = replica.status().lastValidation();
				assertThat(validation).isNotNull();
				assertThat(validation.matched()).as(validation.detail()).isTrue();
			});
		}
	}

	private ConfigurableApplicationContext run(String... properties) {
		return new SpringApplicationBuilder(ReplicationTestApplication.class).web(WebApplicationType.NONE)
			.properties(properties)
			.run();
	}

	private static void loseTheDisk(Path db) throws Exception {
		try (Stream<Path> files = Files.list(db.getParent())) {
			for (Path file : files.toList()) {
				FileSystemUtils.deleteRecursively(file);
			}
		}
		assertThat(db).doesNotExist();
	}

}
