package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

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
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

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
			awaitFirstGeneration(replica);
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
		Path unwritable = unwritableReplica();
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"));
				Statement s = c.createStatement()) {
			s.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)");
		}
		replicatingTo(unwritable).run((context) -> {
			assertThat(context).hasNotFailed();
			NoteService notes = context.getBean(NoteService.class);
			assertThatExceptionOfType(NotReplicatedException.class).isThrownBy(() -> notes.addQuickly("kept"))
				.withCauseInstanceOf(ReplicationTimeoutException.class)
				.withMessageContaining("300ms");
			assertThat(new JdbcTemplate(context.getBean(DataSource.class))
				.queryForObject("SELECT COUNT(*) FROM note", Long.class)).isEqualTo(1);
		});
	}

	@Test
	void aWriteToADatabaseWhoseWalWasIdleForAnHourStillWaits() throws Exception {
		Path unwritable = unwritableReplica();
		createNoteTable();
		replicatingTo(unwritable).run((context) -> {
			assertThat(context).hasNotFailed();
			Path wal = this.dir.resolve("app.db-wal");
			assertThat(wal).exists();
			// Idle WALs are passed over by their time; a commit must move it.
			Files.setLastModifiedTime(wal, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
			NoteService notes = context.getBean(NoteService.class);
			assertThatExceptionOfType(NotReplicatedException.class).isThrownBy(() -> notes.addQuickly("after idle"));
		});
	}

	@Test
	void aRequiresNewMethodWaitsForItsOwnCommitNotItsCallers() throws Exception {
		Path unwritable = unwritableReplica();
		createNoteTable();
		replicatingTo(unwritable).run((context) -> {
			assertThat(context).hasNotFailed();
			NoteService notes = context.getBean(NoteService.class);
			TransactionTemplate outer = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
			assertThatExceptionOfType(NotReplicatedException.class).isThrownBy(() -> outer.executeWithoutResult((status) -> {
				notes.addInItsOwnTransaction("paid");
				status.setRollbackOnly();
			}));
			assertThat(countNotes(context)).as("its own transaction committed").isEqualTo(1);
		});
	}

	@Test
	void aTransactionalMethodThatThrowsButCommitsStillWaits() {
		Path replica = this.dir.resolve("replica");
		replicatingTo(replica).run((context) -> {
			assertThat(context).hasNotFailed();
			awaitFirstGeneration(replica);
			NoteService notes = context.getBean(NoteService.class);
			notes.add("first");
			assertThatExceptionOfType(Exception.class).isThrownBy(() -> notes.addThenThrowChecked("second"))
				.withMessage("checked, so the transaction commits");
			assertThat(restoredNotes(replica, "second")).isEqualTo(2);
		});
	}

	@Test
	void onAClassItLeavesObjectsMethodsAlone() throws Exception {
		Path unwritable = unwritableReplica();
		createNoteTable();
		replicatingTo(unwritable).run((context) -> {
			assertThat(context).hasNotFailed();
			AuditLog audit = context.getBean(AuditLog.class);
			assertThatExceptionOfType(NotReplicatedException.class).isThrownBy(() -> audit.record("entry"));
			assertThat(String.valueOf(audit)).as("a wait here would throw").isEqualTo("audit log");
		});
	}

	@Test
	void aDatabaseTheMethodDidNotWriteIsNotWaitedFor() throws Exception {
		Path replica = this.dir.resolve("replica");
		Path unwritable = unwritableReplica();
		Path other = this.dir.resolve("other.db");
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement s = c.createStatement()) {
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("CREATE TABLE t (x)");
		}
		replicatingTo(replica)
			.withPropertyValues("litestream.dbs[1].path=" + other, "litestream.dbs[1].monitor-interval=30s",
					"litestream.dbs[1].replicas[0].path=" + unwritable,
					"litestream.dbs[1].replicas[0].sync-interval=30s", "litestream.dbs[1].synchronous-timeout=300ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				awaitFirstGeneration(replica);
				NoteService notes = context.getBean(NoteService.class);
				notes.add("first");
				assertThat(restoredNotes(replica, "first")).isEqualTo(1);
				try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other);
						Statement s = c.createStatement()) {
					s.execute("INSERT INTO t VALUES (1)");
				}
				assertThatExceptionOfType(NotReplicatedException.class).isThrownBy(() -> notes.add("second"))
					.as("a write to the other database meanwhile is waited for")
					.withMessageContaining("other.db");
				notes.add("third");
				assertThat(restoredNotes(replica, "third")).isEqualTo(3);
			});
	}

	@Test
	void anInvalidTimeoutFailsStartupNamingTheMethod() {
		this.runner.withUserConfiguration(Misconfigured.class)
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(IllegalArgumentException.class)
				.satisfies((ex) -> assertThat(context.getStartupFailure()).hasMessageContaining("BadTimeout.save")
					.hasMessageContaining("'2 sec'")));
	}

	/** A replica path below a regular file: every write to it fails. */
	private Path unwritableReplica() throws IOException {
		return Files.writeString(this.dir.resolve("not-a-directory"), "a file where the replica should be")
			.resolve("replica");
	}

	/** Waits until replication started: what annotated methods commit from then on is shipped. */
	private static void awaitFirstGeneration(Path replica) {
		Awaitility.await().until(() -> !new FileReplicaClient(replica).generations().isEmpty());
	}

	private void createNoteTable() throws Exception {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"));
				Statement s = c.createStatement()) {
			s.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)");
		}
	}

	private static long countNotes(org.springframework.context.ApplicationContext context) {
		return new JdbcTemplate(context.getBean(DataSource.class)).queryForObject("SELECT COUNT(*) FROM note",
				Long.class);
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

		@Bean
		AuditLog auditLog(DataSource dataSource) {
			return new AuditLog(new JdbcTemplate(dataSource));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Misconfigured {

		@Bean
		BadTimeout badTimeout() {
			return new BadTimeout();
		}

	}

	static class BadTimeout {

		@AwaitReplication(timeout = "2 sec")
		public void save() {
		}

	}

	@AwaitReplication(timeout = "300ms")
	static class AuditLog {

		private final JdbcTemplate jdbc;

		AuditLog(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		public void record(String text) {
			this.jdbc.update("INSERT INTO note (text) VALUES (?)", text);
		}

		@Override
		public String toString() {
			return "audit log";
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

		@Transactional(propagation = Propagation.REQUIRES_NEW)
		@AwaitReplication(timeout = "300ms")
		public void addInItsOwnTransaction(String text) {
			this.jdbc.update("INSERT INTO note (text) VALUES (?)", text);
		}

		@Transactional
		@AwaitReplication
		public void addThenThrowChecked(String text) throws Exception {
			this.jdbc.update("INSERT INTO note (text) VALUES (?)", text);
			throw new Exception("checked, so the transaction commits");
		}

	}

}
