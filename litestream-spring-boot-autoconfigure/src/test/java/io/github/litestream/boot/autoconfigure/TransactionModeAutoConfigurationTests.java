package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * {@code litestream.transaction-mode} in a real context (Hikari, DataSourceTransactionManager):
 * a write transaction holds the write lock from its first read, a read-only one does not, an
 * explicit {@code transaction_mode} in the URL is kept, and a pooled connection holds no lock
 * between transactions. Another connection (the holder) stands for the engine's checkpoint;
 * its {@code busy_timeout} is 0, so it fails at once where it would have to wait.
 */
class TransactionModeAutoConfigurationTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, LitestreamAutoConfiguration.class));

	private ApplicationContextRunner replicated(String urlQuery, String... more) {
		return this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db") + urlQuery,
					"litestream.busy-timeout=2s", "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.withPropertyValues(more);
	}

	@Test
	void aWriteTransactionHoldsTheWriteLockFromItsFirstRead() {
		replicated("").run((context) -> {
			assertThat(context).hasNotFailed();
			JdbcTemplate jdbc = table(context.getBean(DataSource.class));
			transactions(context.getBean(DataSource.class), false).executeWithoutResult((status) -> {
				assertThat(jdbc.queryForObject("SELECT count(*) FROM t", Integer.class)).isZero();
				assertThat(holderBeginsImmediate()).as("the holder finds the lock taken").isFalse();
				jdbc.update("INSERT INTO t VALUES (1)");
			});
			assertThat(jdbc.queryForObject("SELECT count(*) FROM t", Integer.class)).isOne();
		});
	}

	@Test
	void aReadOnlyTransactionReadsWhileAnotherConnectionHoldsTheWriteLock() throws Exception {
		replicated("").run((context) -> {
			assertThat(context).hasNotFailed();
			DataSource dataSource = context.getBean(DataSource.class);
			JdbcTemplate jdbc = table(dataSource);
			try (Connection holder = holder()) {
				execute(holder, "BEGIN IMMEDIATE");
				Integer rows = transactions(dataSource, true)
					.execute((status) -> jdbc.queryForObject("SELECT count(*) FROM t", Integer.class));
				assertThat(rows).isZero();
				execute(holder, "COMMIT");
			}
		});
	}

	@Test
	void anExplicitDeferredModeInTheUrlKeepsTheDriversBehaviour() {
		replicated("?transaction_mode=DEFERRED").run((context) -> {
			assertThat(context).hasNotFailed();
			JdbcTemplate jdbc = table(context.getBean(DataSource.class));
			assertThatException().isThrownBy(() -> transactions(context.getBean(DataSource.class), false)
				.executeWithoutResult((status) -> {
					jdbc.queryForObject("SELECT count(*) FROM t", Integer.class);
					try (Connection holder = holder()) {
						execute(holder, "BEGIN IMMEDIATE");
						try {
							jdbc.update("INSERT INTO t VALUES (1)");
						}
						finally {
							execute(holder, "ROLLBACK");
						}
					}
					catch (SQLException ex) {
						throw new IllegalStateException(ex);
					}
				})).withStackTraceContaining("SQLITE_BUSY");
		});
	}

	@Test
	void theDeferredPropertyKeepsTheDriversBehaviour() {
		replicated("", "litestream.transaction-mode=deferred").run((context) -> {
			assertThat(context).hasNotFailed();
			JdbcTemplate jdbc = table(context.getBean(DataSource.class));
			transactions(context.getBean(DataSource.class), false).executeWithoutResult((status) -> {
				jdbc.queryForObject("SELECT count(*) FROM t", Integer.class);
				assertThat(holderBeginsImmediate()).as("a DEFERRED read takes no write lock").isTrue();
			});
		});
	}

	@Test
	void aPooledConnectionHoldsNoLockBetweenTransactions() {
		assertNoLockAfterTransactions(replicated(""));
	}

	@Test
	void aPooledConnectionInManualCommitModeHoldsNoLockBetweenTransactions() {
		// The driver begins the next transaction at once after commit(); it must take no lock.
		assertNoLockAfterTransactions(replicated("", "spring.datasource.hikari.auto-commit=false"));
	}

	@Test
	void aReadThenWriteTransactionWithSynchronousReplicationIsInTheReplicaWhenItReturns() {
		replicated("", "litestream.dbs[0].synchronous-replication=on", "litestream.dbs[0].monitor-interval=30s",
				"litestream.dbs[0].replicas[0].sync-interval=30s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DataSource dataSource = context.getBean(DataSource.class);
				JdbcTemplate jdbc = table(dataSource);
				transactions(dataSource, false).executeWithoutResult((status) -> {
					int rows = jdbc.queryForObject("SELECT count(*) FROM t", Integer.class);
					jdbc.update("INSERT INTO t VALUES (?)", rows + 1);
				});
				assertThat(holderBeginsImmediate()).isTrue();
				assertThat(restoredCount()).isOne();
			});
	}

	private void assertNoLockAfterTransactions(ApplicationContextRunner runner) {
		runner.withPropertyValues("spring.datasource.hikari.maximum-pool-size=1").run((context) -> {
			assertThat(context).hasNotFailed();
			DataSource dataSource = context.getBean(DataSource.class);
			JdbcTemplate jdbc = table(dataSource);
			TransactionTemplate transactions = transactions(dataSource, false);
			for (int i = 1; i <= 2; i++) {
				transactions.executeWithoutResult((status) -> {
					int rows = jdbc.queryForObject("SELECT count(*) FROM t", Integer.class);
					jdbc.update("INSERT INTO t VALUES (?)", rows + 1);
				});
				assertThat(holderBeginsImmediate()).as("after transaction " + i).isTrue();
			}
			transactions.executeWithoutResult((status) -> {
				jdbc.update("INSERT INTO t VALUES (0)");
				status.setRollbackOnly();
			});
			assertThat(holderBeginsImmediate()).as("after a rollback").isTrue();
			Integer rows = transactions.execute((status) -> jdbc.queryForObject("SELECT count(*) FROM t", Integer.class));
			assertThat(rows).isEqualTo(2);
		});
	}

	private static JdbcTemplate table(DataSource dataSource) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		// In a transaction: with the pool's auto-commit off, Hikari rolls back what it did not commit.
		transactions(dataSource, false).executeWithoutResult((status) -> jdbc.execute("CREATE TABLE t (x)"));
		return jdbc;
	}

	private static TransactionTemplate transactions(DataSource dataSource, boolean readOnly) {
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		transactions.setReadOnly(readOnly);
		return transactions;
	}

	/** Whether another connection gets the write lock without waiting. */
	private boolean holderBeginsImmediate() {
		try (Connection holder = holder()) {
			execute(holder, "BEGIN IMMEDIATE");
			execute(holder, "ROLLBACK");
			return true;
		}
		catch (SQLException ex) {
			assertThat((Throwable) ex).hasMessageContaining("SQLITE_BUSY");
			return false;
		}
	}

	private Connection holder() throws SQLException {
		Connection holder = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"));
		execute(holder, "PRAGMA busy_timeout = 0");
		return holder;
	}

	private long restoredCount() throws Exception {
		Path out = this.dir.resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(this.dir.resolve("replica")), RestoreOptions.latest(out));
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out); Statement s = c.createStatement();
				ResultSet rows = s.executeQuery("SELECT count(*) FROM t")) {
			rows.next();
			return rows.getLong(1);
		}
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
