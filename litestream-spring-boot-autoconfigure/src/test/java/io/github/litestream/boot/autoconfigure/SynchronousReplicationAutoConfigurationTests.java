package io.github.litestream.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.litestream.jdbc.ReplicationTimeoutException;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * {@code litestream.dbs[n].synchronous-replication=on} in a real context: the sync interval is
 * 30 s, so only a waiting commit can put a row into the replica before the next statement.
 */
class SynchronousReplicationAutoConfigurationTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, LitestreamAutoConfiguration.class));

	private ApplicationContextRunner synchronous(String replica, String... more) {
		return this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
					"litestream.dbs[0].monitor-interval=30s", "litestream.dbs[0].replicas[0].path=" + replica,
					"litestream.dbs[0].replicas[0].sync-interval=30s")
			.withPropertyValues(more);
	}

	@Test
	void everyCommitThroughTheDataSourceIsInTheReplicaWhenItReturns() {
		Path replica = this.dir.resolve("replica");
		synchronous(replica.toString(), "litestream.dbs[0].synchronous-replication=on").run((context) -> {
			assertThat(context).hasNotFailed();
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(dataSource).as("still the pool's own type").isInstanceOf(HikariDataSource.class);
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			jdbc.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)");
			for (int i = 1; i <= 3; i++) {
				jdbc.update("INSERT INTO note (text) VALUES (?)", "auto-commit " + i);
				assertThat(restoredCount(replica, "auto-" + i)).isEqualTo(i);
			}
			TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
			transactions.executeWithoutResult((status) -> {
				jdbc.update("INSERT INTO note (text) VALUES ('in a transaction')");
				jdbc.update("INSERT INTO note (text) VALUES ('in the same transaction')");
			});
			assertThat(restoredCount(replica, "transaction")).isEqualTo(5);
		});
	}

	@Test
	void withSynchronousReplicationOffCommitsDoNotWaitForTheSyncInterval() {
		Path replica = this.dir.resolve("replica");
		synchronous(replica.toString()).run((context) -> {
			assertThat(context).hasNotFailed();
			Awaitility.await().until(() -> !new FileReplicaClient(replica).generations().isEmpty());
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			jdbc.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)");
			jdbc.update("INSERT INTO note (text) VALUES ('not yet replicated')");
			assertThat(restoredCount(replica, "off")).as("the oracle: without waits the row is not there yet")
				.isEqualTo(-1);
		});
	}

	@Test
	void aCommitNoReplicaStoresInTimeFailsWithAnExceptionTheApplicationCanTellApart() throws Exception {
		Path blocker = Files.writeString(this.dir.resolve("not-a-directory"), "a file where the replica should be");
		Path db = this.dir.resolve("app.db");
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
			s.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)");
		}
		synchronous(blocker.resolve("replica").toString(), "litestream.dbs[0].synchronous-replication=on",
				"litestream.dbs[0].synchronous-timeout=300ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
				assertThatException().isThrownBy(() -> jdbc.update("INSERT INTO note (text) VALUES ('kept')"))
					.satisfies((ex) -> assertThat(NestedExceptionUtils.getMostSpecificCause(ex))
						.isInstanceOf(ReplicationTimeoutException.class)
						.hasMessageContaining("durable locally")
						.hasMessageContaining("Do not retry"));
				assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM note", Long.class)).as("committed locally")
					.isEqualTo(1);
			});
	}

	@Test
	void yamlStyleBooleansAreAcceptedForOnAndOff() {
		synchronous(this.dir.resolve("replica").toString(), "litestream.dbs[0].synchronous-replication=true")
			.run((context) -> assertThat(context.getBean(LitestreamDatabases.class).databases().get(0).synchronous().everyCommit())
				.isTrue());
		synchronous(this.dir.resolve("replica").toString(), "litestream.dbs[0].synchronous-replication=false")
			.run((context) -> assertThat(context.getBean(LitestreamDatabases.class).databases().get(0).synchronous().everyCommit())
				.isFalse());
	}

	@Test
	void aQuorumOtherThanOneOrAllIsRejectedNamingTheProperty() {
		synchronous(this.dir.resolve("replica").toString(), "litestream.dbs[0].synchronous-replication=on",
				"litestream.dbs[0].synchronous-replicas=2")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(LitestreamConfigurationException.class)
				.hasMessageContaining("litestream.dbs[0].synchronous-replicas")
				.hasMessageContaining("'2' is neither 1"));
	}

	/** The number of notes a restore of the replica holds, or -1 if it holds no such table yet. */
	private long restoredCount(Path replica, String name) throws Exception {
		Path out = this.dir.resolve("restored-" + name + ".db");
		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(out));
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out); Statement s = c.createStatement();
				ResultSet rs = s.executeQuery(
						"SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'note') THEN 1 ELSE 0 END")) {
			rs.next();
			if (rs.getInt(1) == 0) {
				return -1;
			}
		}
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out); Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM note")) {
			rs.next();
			return rs.getLong(1);
		}
	}

}
