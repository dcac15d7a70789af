package io.github.litestream.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Transactions on {@link PromptBusySqliteDataSource} connections against a real database while
 * another connection (the holder, standing for the engine's checkpoint) has the write lock: a
 * transaction that reads and then writes waits for the lock instead of failing, read-only ones
 * stay concurrent, no lock is held between transactions, and an explicit mode is kept.
 */
class ImmediateWriteTransactionsTests {

	@TempDir
	Path dir;

	private String url;

	@BeforeEach
	void createTable() throws SQLException {
		this.url = "jdbc:sqlite:" + this.dir.resolve("app.db");
		try (Connection connection = dataSource(this.url, true).getConnection()) {
			execute(connection, "CREATE TABLE t (x)");
			execute(connection, "INSERT INTO t VALUES (0)");
		}
	}

	@Test
	void aTransactionThatReadsThenWritesWaitsForTheLockAndCommits() throws Exception {
		try (Connection holder = holder(); Connection app = dataSource(this.url, true).getConnection()) {
			app.setAutoCommit(false);
			execute(holder, "BEGIN IMMEDIATE");
			CompletableFuture<Void> transaction = CompletableFuture.runAsync(() -> readThenWrite(app));
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !transaction.isDone());
			execute(holder, "COMMIT");
			transaction.get(30, TimeUnit.SECONDS);
			app.setAutoCommit(true);
			assertThat(count(app)).isEqualTo(2);
		}
	}

	@Test
	void withoutImmediateWritesTheSameTransactionFailsAtOnce() throws Exception {
		assertFailsAtOnce(dataSource(this.url, false));
	}

	@Test
	void anExplicitDeferredModeInTheUrlIsKept() throws Exception {
		assertFailsAtOnce(dataSource(this.url + "?transaction_mode=DEFERRED", true));
	}

	@Test
	void aReadOnlyTransactionReadsWhileAnotherConnectionHoldsTheWriteLock() throws Exception {
		try (Connection holder = holder(); Connection app = dataSource(this.url, true).getConnection()) {
			execute(holder, "BEGIN IMMEDIATE");
			app.setReadOnly(true);
			app.setAutoCommit(false);
			// Within the holder's transaction, on this thread: a wait for the lock would never end.
			assertThat(count(app)).isEqualTo(1);
			app.commit();
			app.setAutoCommit(true);
			app.setReadOnly(false);
			execute(holder, "COMMIT");
		}
	}

	@Test
	void noLockIsHeldBetweenTransactionsInManualCommitMode() throws Exception {
		try (Connection holder = holder(); Connection app = dataSource(this.url, true).getConnection()) {
			app.setAutoCommit(false);
			execute(holder, "PRAGMA busy_timeout = 0");
			readThenWrite(app);
			app.commit();
			// The driver began the next transaction at once; the holder gets the lock without waiting.
			execute(holder, "BEGIN IMMEDIATE");
			execute(holder, "COMMIT");
			readThenWrite(app);
			app.rollback();
			execute(holder, "BEGIN IMMEDIATE");
			execute(holder, "ROLLBACK");
			assertThat(count(app)).isEqualTo(2);
		}
	}

	@Test
	void aPlainStatementsUpdateBeforeAQueryStaysInItsTransaction() throws Exception {
		try (Connection app = dataSource(this.url, true).getConnection()) {
			app.setAutoCommit(false);
			try (Statement statement = app.createStatement()) {
				statement.executeUpdate("INSERT INTO t VALUES (1)");
			}
			assertThat(count(app)).isEqualTo(2);
			app.rollback();
			assertThat(count(app)).as("the insert was rolled back, not committed by a later BEGIN").isEqualTo(1);
			app.setAutoCommit(true);
		}
	}

	@Test
	void aSavepointMadeFirstOutlivesTheTransactionsBegin() throws Exception {
		try (Connection app = dataSource(this.url, true).getConnection()) {
			app.setAutoCommit(false);
			Savepoint savepoint = app.setSavepoint();
			execute(app, "INSERT INTO t VALUES (1)");
			app.rollback(savepoint);
			execute(app, "INSERT INTO t VALUES (2)");
			app.commit();
			app.setAutoCommit(true);
			try (Statement statement = app.createStatement();
					ResultSet rows = statement.executeQuery("SELECT sum(x) FROM t")) {
				rows.next();
				assertThat(rows.getInt(1)).isEqualTo(2);
			}
		}
	}

	private void assertFailsAtOnce(PromptBusySqliteDataSource dataSource) throws Exception {
		try (Connection holder = holder(); Connection app = dataSource.getConnection()) {
			app.setAutoCommit(false);
			assertThat(count(app)).isEqualTo(1);
			execute(holder, "BEGIN IMMEDIATE");
			// SQLite does not call the busy handler when a read transaction upgrades to a write.
			assertThatExceptionOfType(SQLiteException.class).isThrownBy(() -> execute(app, "INSERT INTO t VALUES (1)"))
				.satisfies((ex) -> assertThat(ex.getResultCode().code & 0xff).isEqualTo(SQLiteErrorCode.SQLITE_BUSY.code));
			app.rollback();
			app.setAutoCommit(true);
			execute(holder, "ROLLBACK");
		}
	}

	private Connection holder() throws SQLException {
		return DriverManager.getConnection(this.url);
	}

	private static void readThenWrite(Connection app) {
		try {
			int rows = count(app);
			execute(app, "INSERT INTO t VALUES (" + rows + ")");
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static PromptBusySqliteDataSource dataSource(String url, boolean immediateWrites) {
		SQLiteConfig config = new SQLiteConfig();
		config.setJournalMode(SQLiteConfig.JournalMode.WAL);
		return new PromptBusySqliteDataSource(url, config, Duration.ofSeconds(30), immediateWrites);
	}

	private static int count(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT count(*) FROM t")) {
			rows.next();
			return rows.getInt(1);
		}
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
