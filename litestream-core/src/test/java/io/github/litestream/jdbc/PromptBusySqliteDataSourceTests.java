package io.github.litestream.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Connections of a {@link PromptBusySqliteDataSource} on a real database: they keep their
 * pragmas, wait for a lock held elsewhere and get it once it is freed, and give up with
 * SQLITE_BUSY after the busy timeout.
 */
class PromptBusySqliteDataSourceTests {

	@TempDir
	Path dir;

	@Test
	void connectionsKeepTheirPragmasAndWaitWithThePromptHandler() throws SQLException {
		try (Connection connection = dataSource(Duration.ofSeconds(5)).getConnection()) {
			assertThat(pragma(connection, "journal_mode")).isEqualTo("wal");
			assertThat(pragma(connection, "foreign_keys")).isEqualTo("1");
			// SQLite reports a busy timeout of 0 once a busy handler of the application's replaced it.
			assertThat(pragma(connection, "busy_timeout")).isEqualTo("0");
		}
	}

	@Test
	void aStatementWithAQueryTimeoutLeavesThePromptHandlerInPlace() throws SQLException {
		try (Connection connection = dataSource(Duration.ofSeconds(5)).getConnection()) {
			// sqlite-jdbc sets the busy timeout to the query timeout around the statement, then back.
			try (Statement statement = connection.createStatement()) {
				statement.setQueryTimeout(2);
				statement.execute("CREATE TABLE t (x)");
			}
			assertThat(pragma(connection, "busy_timeout")).as("still the prompt handler, not SQLite's timeout")
				.isEqualTo("0");
			assertThat(connection.unwrap(SQLiteConnection.class).getBusyTimeout()).isEqualTo(5000);
		}
	}

	@Test
	void aWriteWaitsForALockHeldElsewhereAndSucceeds() throws Exception {
		PromptBusySqliteDataSource dataSource = dataSource(Duration.ofSeconds(30));
		try (Connection holder = DriverManager.getConnection(dataSource.getUrl());
				Connection app = dataSource.getConnection()) {
			lockedByTheHolder(app, holder);
			CompletableFuture<Void> insert = CompletableFuture.runAsync(() -> {
				try {
					execute(app, "INSERT INTO t VALUES (1)");
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !insert.isDone());
			execute(holder, "COMMIT");
			insert.get(30, TimeUnit.SECONDS);
			try (Statement statement = app.createStatement(); ResultSet rows = statement.executeQuery("SELECT count(*) FROM t")) {
				assertThat(rows.next()).isTrue();
				assertThat(rows.getInt(1)).isEqualTo(1);
			}
		}
	}

	@Test
	void anInterruptedThreadWaitsAsSqlitesOwnTimeoutWouldAndKeepsItsInterrupt() throws Exception {
		// SQLite's own busy timeout sleeps in native code, deaf to Java interrupts: a thread that
		// was interrupted (a cancelled task, say) must not fail on a lock the engine holds for a
		// few milliseconds only because the prompt handler replaced that timeout.
		PromptBusySqliteDataSource dataSource = dataSource(Duration.ofSeconds(30));
		try (Connection holder = DriverManager.getConnection(dataSource.getUrl());
				Connection app = dataSource.getConnection()) {
			lockedByTheHolder(app, holder);
			CompletableFuture<Boolean> insert = CompletableFuture.supplyAsync(() -> {
				Thread.currentThread().interrupt();
				try {
					execute(app, "INSERT INTO t VALUES (1)");
					return Thread.interrupted();
				}
				catch (SQLException ex) {
					Thread.interrupted();
					throw new IllegalStateException(ex);
				}
			});
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !insert.isDone());
			execute(holder, "COMMIT");
			assertThat(insert.get(30, TimeUnit.SECONDS)).as("the interrupt is still set after the wait").isTrue();
		}
	}

	@Test
	void aWriteGivesUpWithBusyAfterTheTimeout() throws Exception {
		PromptBusySqliteDataSource dataSource = dataSource(Duration.ofMillis(300));
		try (Connection holder = DriverManager.getConnection(dataSource.getUrl());
				Connection app = dataSource.getConnection()) {
			lockedByTheHolder(app, holder);
			assertThatExceptionOfType(SQLiteException.class).isThrownBy(() -> execute(app, "INSERT INTO t VALUES (1)"))
				.satisfies((ex) -> assertThat(ex.getResultCode()).isEqualTo(SQLiteErrorCode.SQLITE_BUSY));
			execute(holder, "ROLLBACK");
			execute(app, "INSERT INTO t VALUES (1)");
		}
	}

	/** The application's table exists, and the holder has the write lock. */
	private static void lockedByTheHolder(Connection app, Connection holder) throws SQLException {
		execute(app, "CREATE TABLE t (x)");
		execute(holder, "BEGIN IMMEDIATE");
	}

	private PromptBusySqliteDataSource dataSource(Duration busyTimeout) {
		SQLiteConfig config = new SQLiteConfig();
		config.setJournalMode(SQLiteConfig.JournalMode.WAL);
		config.enforceForeignKeys(true);
		config.setBusyTimeout((int) busyTimeout.toMillis());
		return new PromptBusySqliteDataSource("jdbc:sqlite:" + this.dir.resolve("app.db"), config, busyTimeout);
	}

	private static String pragma(Connection connection, String name) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("PRAGMA " + name)) {
			rows.next();
			return rows.getString(1);
		}
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
