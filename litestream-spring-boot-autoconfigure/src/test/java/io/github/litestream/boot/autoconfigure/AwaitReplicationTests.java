package io.github.litestream.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import javax.sql.DataSource;

import io.github.litestream.boot.transaction.AwaitReplication;
import io.github.litestream.boot.transaction.NotReplicatedException;
import io.github.litestream.jdbc.ReplicationTimeoutException;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link AwaitReplication} on {@code @Transactional} methods of a real context, with
 * synchronous replication off and a 30 s sync interval: only the annotated methods' commits
 * can be in the replica when they return.
 */
class AwaitReplicationTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
				LitestreamAutoConfiguration.class))
		.withUserConfiguration(Notes.class);

	private ApplicationContextRunner replicatingTo(Path replica) {
		return this.runner.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
				"litestream.dbs[0].monitor-interval=30s", "litestream.dbs[0].replicas[0].path=" + replica,
				"litestream.dbs[0].replicas[0].sync-interval=30s");
	}

	@Test
	void anAnnotatedTransactionalMethodReturnsOnceItsCommitIsReplicatedAndOthersDoNotWait() {
		Path replica = this.dir.resolve("replica");
		replicatingTo(replica).run((context) -> {
			assertThat(context).hasNotFailed();
			Awaitility.await().until(() -> !new FileReplicaClient(replica).generations().isEmpty());
			NoteService notes = context.getBean(NoteService.class);
			notes.add("first");
			assertThat(restoredNotes(replica, "first")).isEqualTo(1);
			notes.addWithoutWaiting("second");
			assertThat(restoredNotes(replica, "second")).as("the oracle: an unannotated commit is not there yet")
				.isEqualTo(1);
			notes.addTwice("third");
			assertThat(restoredNotes(replica, "third")).isEqualTo(4);
		});
	}

	@Test
	void aCommitNotReplicatedInTimeThrowsNotReplicatedExceptionAndStaysCommitted() throws Exception {
		Path blocker = Files.writeString(this.dir.resolve("not-a-directory"), "a file where the replica should be");
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"));
				Statement s = c.createStatement()) {
			s.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)");
		}
		replicatingTo(blocker.resolve("replica")).run((context) -> {
			assertThat(context).hasNotFailed();
			NoteService notes = context.getBean(NoteService.class);
			assertThatExceptionOfType(NotReplicatedException.class).isThrownBy(() -> notes.addQuickly("kept"))
				.withCauseInstanceOf(ReplicationTimeoutException.class)
				.withMessageContaining("300ms");
			assertThat(new JdbcTemplate(context.getBean(DataSource.class))
				.queryForObject("SELECT COUNT(*) FROM note", Long.class)).isEqualTo(1);
		});
	}

	private long restoredNotes(Path replica, String name) throws Exception {
		Path out = this.dir.resolve("restored-" + name + ".db");
		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(out));
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out); Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sqlite_master WHERE name = 'note'")) {
			rs.next();
			if (rs.getInt(1) == 0) {
				return 0;
			}
		}
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out); Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM note")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Notes {

		@Bean
		NoteService noteService(DataSource dataSource) {
			return new NoteService(new JdbcTemplate(dataSource));
		}

	}

	static class NoteService {

		private final JdbcTemplate jdbc;

		NoteService(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Transactional
		@AwaitReplication
		public void add(String text) {
			this.jdbc.execute("CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, text TEXT)");
			this.jdbc.update("INSERT INTO note (text) VALUES (?)", text);
		}

		@Transactional
		public void addWithoutWaiting(String text) {
			this.jdbc.update("INSERT INTO note (text) VALUES (?)", text);
		}

		@AwaitReplication
		@Transactional
		public void addTwice(String text) {
			this.jdbc.update("INSERT INTO note (text) VALUES (?)", text);
			this.jdbc.update("INSERT INTO note (text) VALUES (?)", text + " again");
		}

		@Transactional
		@AwaitReplication(timeout = "300ms")
		public void addQuickly(String text) {
			this.jdbc.update("INSERT INTO note (text) VALUES (?)", text);
		}

	}

}
