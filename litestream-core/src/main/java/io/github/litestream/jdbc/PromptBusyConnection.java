package io.github.litestream.jdbc;

import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import io.github.litestream.sqlite.PromptBusyHandler;
import org.sqlite.BusyHandler;
import org.sqlite.JDBC;
import org.sqlite.SQLiteConfig.TransactionMode;
import org.sqlite.core.DB;
import org.sqlite.jdbc4.JDBC4Connection;
import org.sqlite.jdbc4.JDBC4Statement;

/**
 * A sqlite-jdbc connection that keeps the prompt busy handler whenever its busy timeout
 * changes, and whose write transactions take the write lock before they read.
 *
 * <p>The busy handler: sqlite-jdbc sets the busy timeout around every statement that has a
 * query timeout ({@code @Transactional(timeout = …)}, a {@code JdbcTemplate} query timeout) and
 * back after it, and SQLite's busy timeout replaces any busy handler: without this, one such
 * statement left the connection with SQLite's back-off for the rest of its life in the pool.
 *
 * <p>The write lock: SQLite never calls the busy handler when a transaction that has read
 * upgrades to a write (it could deadlock), so a {@code SELECT} then {@code INSERT} transaction
 * that meets the engine's checkpoint (a few milliseconds of write lock) fails at once with
 * {@code SQLITE_BUSY}. With {@link #open immediate writes}, a transaction that is not read-only
 * ({@link #setReadOnly}, which Spring sets for {@code @Transactional(readOnly = true)}, is a
 * hint here, as JDBC allows) takes the write lock with {@code BEGIN IMMEDIATE}, waiting with
 * the busy handler, right before its first statement. Read-only transactions stay
 * {@code DEFERRED}, concurrent with writers. The driver itself begins every transaction
 * {@code DEFERRED} (when auto-commit is turned off, and again at once after each
 * {@code commit()} and {@code rollback()}), so an idle connection, a pooled one in manual-commit
 * mode included, never holds the lock, and a commit never waits for the next transaction's.
 */
final class PromptBusyConnection extends JDBC4Connection {

	private final boolean immediateWrites;

	/** Whether the transaction the driver began has run no statement yet. */
	private boolean fresh;

	private boolean readOnlyHint;

	private PromptBusyConnection(String url, Properties properties, boolean immediateWrites) throws SQLException {
		super(url, url.substring(JDBC.PREFIX.length()), properties);
		// Only where the driver's default is in force: an explicit transaction_mode (even
		// DEFERRED), the driver's own read-only enforcement, or a read-only file keep theirs.
		this.immediateWrites = immediateWrites && !names(url, "transaction_mode")
				&& getConnectionConfig().getTransactionMode() == TransactionMode.DEFERRED
				&& !getDatabase().getConfig().isExplicitReadOnly() && !super.isReadOnly();
	}

	/**
	 * Opens a connection as sqlite-jdbc's driver does, with the prompt busy handler.
	 * @param url the {@code jdbc:sqlite:} URL
	 * @param properties the connection's properties, pragmas included
	 * @param busyTimeout how long one statement may wait for a lock
	 * @param immediateWrites whether transactions that are not read-only take the write lock
	 * before their first statement, unless the URL or properties set a {@code transaction_mode}
	 * @return the connection
	 * @throws SQLException if it cannot be opened
	 */
	static PromptBusyConnection open(String url, Properties properties, Duration busyTimeout, boolean immediateWrites)
			throws SQLException {
		if (!JDBC.isValidURL(url)) {
			throw new SQLException("invalid database address: " + url);
		}
		PromptBusyConnection connection = new PromptBusyConnection(url.trim(), properties, immediateWrites);
		try {
			connection.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
		}
		catch (SQLException | RuntimeException ex) {
			connection.close();
			throw ex;
		}
		return connection;
	}

	/** Whether a URL's query names a parameter (sqlite-jdbc reads it as a connection property). */
	static boolean names(String url, String parameter) {
		int query = url.indexOf('?');
		if (query < 0) {
			return false;
		}
		for (String pair : url.substring(query + 1).split("&")) {
			int equals = pair.indexOf('=');
			if (((equals < 0) ? pair : pair.substring(0, equals)).trim().equals(parameter)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Keeps the prompt busy handler, with this limit, instead of SQLite's busy timeout.
	 * @param timeoutMillis how long one statement may wait for a lock
	 */
	@Override
	public void setBusyTimeout(int timeoutMillis) throws SQLException {
		getDatabase().getConfig().setBusyTimeout(timeoutMillis);
		BusyHandler.setHandler(this, PromptBusyHandler.forApplication(Duration.ofMillis(timeoutMillis)));
	}

	/**
	 * With immediate writes, notes whether the next transactions only read (a hint, as JDBC
	 * allows: writes are not refused). sqlite-jdbc would refuse any change after opening, and
	 * Spring ignores that, losing the hint.
	 */
	@Override
	public void setReadOnly(boolean readOnly) throws SQLException {
		if (!this.immediateWrites) {
			super.setReadOnly(readOnly);
			return;
		}
		checkOpen();
		this.readOnlyHint = readOnly;
	}

	@Override
	public boolean isReadOnly() {
		return this.immediateWrites ? this.readOnlyHint : super.isReadOnly();
	}

	@Override
	public void setAutoCommit(boolean autoCommit) throws SQLException {
		boolean begins = !autoCommit && getAutoCommit();
		super.setAutoCommit(autoCommit);
		this.fresh = begins || (this.fresh && !autoCommit);
	}

	@Override
	public void commit() throws SQLException {
		super.commit();
		// The driver began the next transaction, DEFERRED.
		this.fresh = true;
	}

	@Override
	public void rollback() throws SQLException {
		super.rollback();
		this.fresh = true;
	}

	@Override
	public Savepoint setSavepoint() throws SQLException {
		// Before the savepoint exists: beginning IMMEDIATE ends the DEFERRED transaction.
		tryEnforceTransactionMode();
		return super.setSavepoint();
	}

	@Override
	public Savepoint setSavepoint(String name) throws SQLException {
		tryEnforceTransactionMode();
		return super.setSavepoint(name);
	}

	/**
	 * Called by the driver before a statement runs in a transaction (and here before a
	 * savepoint, and before the plain statement's updates and batches, which the driver runs
	 * without it): the first one of a write transaction takes the write lock.
	 */
	@Override
	public void tryEnforceTransactionMode() throws SQLException {
		if (this.fresh && !getAutoCommit()) {
			this.fresh = false;
			if (this.immediateWrites && !this.readOnlyHint) {
				beginImmediate();
			}
		}
		super.tryEnforceTransactionMode();
	}

	/**
	 * Replaces the DEFERRED transaction the driver began, which has run nothing yet, with an
	 * IMMEDIATE one: BEGIN IMMEDIATE outside a transaction waits for the lock with the busy
	 * handler. If the wait times out, a DEFERRED transaction is open again, as the driver
	 * expects, and the statement fails with SQLITE_BUSY.
	 */
	private void beginImmediate() throws SQLException {
		DB database = getDatabase();
		database.exec("commit;", false);
		try {
			database.exec("begin immediate;", false);
			setCurrentTransactionMode(TransactionMode.IMMEDIATE);
		}
		catch (SQLException ex) {
			try {
				database.exec("begin;", false);
			}
			catch (SQLException again) {
				ex.addSuppressed(again);
			}
			this.fresh = true;
			throw ex;
		}
	}

	@Override
	public Statement createStatement(int type, int concurrency, int holdability) throws SQLException {
		checkOpen();
		checkCursor(type, concurrency, holdability);
		return new JDBC4Statement(this) {

			@Override
			public long executeLargeUpdate(String sql) throws SQLException {
				tryEnforceTransactionMode();
				return super.executeLargeUpdate(sql);
			}

			@Override
			public long[] executeLargeBatch() throws SQLException {
				tryEnforceTransactionMode();
				return super.executeLargeBatch();
			}

		};
	}

}
