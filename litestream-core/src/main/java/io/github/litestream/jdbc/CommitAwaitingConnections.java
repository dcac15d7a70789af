package io.github.litestream.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteCommitListener;
import org.sqlite.SQLiteConfig.TransactionMode;
import org.sqlite.SQLiteConnection;

/**
 * Wraps a database's connections so that each JDBC call that commits a write transaction
 * returns only once the commit is replicated.
 *
 * <p>SQLite's commit hook tells which calls commit, whichever way they do it:
 * {@link Connection#commit()}, a statement in auto-commit mode, a {@code COMMIT} statement or
 * DDL. The hook runs inside the commit, with the write lock held, so it only flags the thread;
 * the wait happens once the outermost JDBC call returned and the lock is released (for
 * {@code commit()}, before the next transaction begins). Statements
 * and result sets are wrapped too, since in auto-commit mode they are what commits. Calls that
 * commit nothing (reads, rollbacks, a transaction that took the write lock and wrote nothing:
 * see {@link ConnectionWrites}) never wait.
 */
public final class CommitAwaitingConnections {

	private static final Class<?>[] CONNECTION = { Connection.class };

	private final CommitWaiter waiter;

	/** Set by the commit hook on the committing thread; consumed when the JDBC call returns. */
	private final ThreadLocal<Boolean> committed = new ThreadLocal<>();

	/** Set by the rollback hook on the rolling-back thread; consumed when the JDBC call returns. */
	private final ThreadLocal<Boolean> rolledBack = new ThreadLocal<>();

	/** One listener for every connection: SQLite keeps listeners in a set, so adding it again is free. */
	private final SQLiteCommitListener listener = new SQLiteCommitListener() {

		@Override
		public void onCommit() {
			CommitAwaitingConnections.this.committed.set(Boolean.TRUE);
		}

		@Override
		public void onRollback() {
			CommitAwaitingConnections.this.rolledBack.set(Boolean.TRUE);
		}

	};

	/**
	 * Creates a wrapper.
	 * @param waiter what a commit waits for
	 */
	public CommitAwaitingConnections(CommitWaiter waiter) {
		this.waiter = waiter;
	}

	/**
	 * Wraps a connection to the database.
	 * @param connection a connection from the database's pool or driver
	 * @return a connection whose commits wait to be replicated
	 * @throws SQLException if it is not a SQLite connection
	 */
	public Connection wrap(Connection connection) throws SQLException {
		SQLiteConnection sqlite = connection.unwrap(SQLiteConnection.class);
		sqlite.addCommitListener(this.listener);
		return (Connection) Proxy.newProxyInstance(CommitAwaitingConnections.class.getClassLoader(), CONNECTION,
				new Handler(connection, null, new ConnectionWrites(sqlite), null));
	}

	private final class Handler implements InvocationHandler {

		private final Object target;

		/** The wrapped connection that statements and result sets report as theirs. */
		private final @Nullable Object connection;

		private final ConnectionWrites writes;

		/** A prepared statement's SQL. */
		private final @Nullable String sql;

		Handler(Object target, @Nullable Object connection, ConnectionWrites writes, @Nullable String sql) {
			this.target = target;
			this.connection = connection;
			this.writes = writes;
			this.sql = sql;
		}

		@Override
		public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
			switch (method.getName()) {
				case "equals":
					return proxy == args[0];
				case "hashCode":
					return System.identityHashCode(proxy);
				case "toString":
					return "Commits wait for replication: " + this.target;
				case "getConnection":
					if (this.connection != null && method.getParameterCount() == 0) {
						return this.connection;
					}
					break;
				case "commit":
					if (this.connection == null && method.getParameterCount() == 0 && beginsLocked(this.target)) {
						commitThenAwait((Connection) this.target, this.writes);
						return null;
					}
					break;
				default:
					if (method.getName().startsWith("execute") || method.getName().equals("addBatch")) {
						this.writes.running((args != null && args.length > 0 && args[0] instanceof String text) ? text
								: this.sql);
					}
			}
			Object result;
			try {
				result = method.invoke(this.target, args);
			}
			catch (InvocationTargetException ex) {
				// Some of a failed batch may have committed in auto-commit mode: wait for those too.
				Throwable failure = ex.getCause();
				try {
					awaitIfCommitted(this.writes);
				}
				catch (SQLException waitFailure) {
					failure.addSuppressed(waitFailure);
				}
				throw failure;
			}
			awaitIfCommitted(this.writes);
			return wrapResult(proxy, method, args, result);
		}

		private @Nullable Object wrapResult(Object proxy, Method method, @Nullable Object[] args,
				@Nullable Object result) {
			// By the declared type: a driver's class may implement several (sqlite-jdbc's result
			// set is its own metadata).
			Class<?> type = method.getReturnType();
			if (result == null || !(type == Statement.class || type == PreparedStatement.class
					|| type == CallableStatement.class || type == ResultSet.class)) {
				return result;
			}
			Object owner = (this.connection != null) ? this.connection : proxy;
			String prepared = (this.connection == null && args != null && args.length > 0
					&& args[0] instanceof String text) ? text : null;
			return Proxy.newProxyInstance(CommitAwaitingConnections.class.getClassLoader(), new Class<?>[] { type },
					new Handler(result, owner, this.writes, prepared));
		}

	}

	/**
	 * Commits and waits before the next transaction begins. The driver's {@code commit()} begins
	 * it at once, and with {@code transaction_mode=IMMEDIATE} (or EXCLUSIVE) that takes the write
	 * lock again: a wait there would hold every other writer for as long as replication takes,
	 * up to their busy timeout. Leaving auto-commit commits without beginning (JDBC's rule); the
	 * next transaction begins when auto-commit is turned off again, after the wait.
	 */
	private void commitThenAwait(Connection connection, ConnectionWrites writes) throws SQLException {
		if (connection.getAutoCommit()) {
			// The driver's own error ("database in auto-commit mode").
			connection.commit();
			return;
		}
		try {
			connection.setAutoCommit(true);
		}
		catch (SQLException ex) {
			// The commit failed and its transaction may be open still: be in a transaction again,
			// as after a failed commit(), so that the application can roll back.
			try {
				connection.setAutoCommit(false);
			}
			catch (SQLException inTransaction) {
				// Expected while the failed transaction is open; the mode is back to manual.
			}
			this.committed.remove();
			this.rolledBack.remove();
			throw ex;
		}
		SQLException notReplicated = null;
		try {
			awaitIfCommitted(writes);
		}
		catch (SQLException ex) {
			notReplicated = ex;
		}
		try {
			connection.setAutoCommit(false);
		}
		catch (SQLException ex) {
			// The commit stands; what the caller must hear first is whether it is replicated.
			if (notReplicated == null) {
				throw ex;
			}
			notReplicated.addSuppressed(ex);
		}
		if (notReplicated != null) {
			throw notReplicated;
		}
	}

	/**
	 * Whether the driver's {@code commit()} takes the write lock again at once: it begins the
	 * next transaction, which with {@code transaction_mode} IMMEDIATE or EXCLUSIVE locks.
	 */
	private static boolean beginsLocked(Object connection) throws SQLException {
		TransactionMode mode = ((Connection) connection).unwrap(SQLiteConnection.class)
			.getConnectionConfig()
			.getTransactionMode();
		return mode != TransactionMode.DEFERRED;
	}

	private void awaitIfCommitted(ConnectionWrites writes) throws SQLException {
		boolean commit = this.committed.get() != null;
		boolean rollback = this.rolledBack.get() != null;
		this.committed.remove();
		this.rolledBack.remove();
		// The commit first: a failed batch may have committed some statements before one rolled back.
		boolean wrote = commit && writes.committedWrites();
		if (rollback) {
			writes.forget();
		}
		if (wrote) {
			this.waiter.awaitReplicated();
		}
	}

}
