package io.github.litestream.jdbc;

import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConnection;

/**
 * Whether a commit on one connection wrote anything. SQLite's commit hook also runs for a
 * transaction that took the write lock and changed nothing: every transaction with
 * {@code transaction_mode=IMMEDIATE}, read-only ones included (with the empty one the driver
 * begins when auto-commit is turned off and commits when it is turned on again), and a
 * {@link PromptBusySqliteDataSource} connection's write transaction that wrote nothing. Such a commit
 * must not wait for replication (a read would fail while a replica is down).
 *
 * <p>A commit wrote if the connection's count of changed rows ({@code sqlite3_total_changes},
 * every INSERT, UPDATE and DELETE, in triggers too) grew since the last commit or rollback, or
 * if it ran a statement that writes without changing rows: {@code CREATE}, {@code DROP},
 * {@code ALTER}, {@code VACUUM}, {@code REINDEX}, {@code ANALYZE}. Used by one thread at a time,
 * as its connection is.
 */
final class ConnectionWrites {

	private static final Set<String> SCHEMA_WRITES = Set.of("CREATE", "DROP", "ALTER", "VACUUM", "REINDEX", "ANALYZE");

	private final SQLiteConnection connection;

	private long changesSeen;

	private boolean schemaWritten;

	ConnectionWrites(SQLiteConnection connection) throws SQLException {
		this.connection = connection;
		this.changesSeen = connection.getDatabase().total_changes();
	}

	/**
	 * Notes a statement about to run.
	 * @param sql its text
	 */
	void running(@Nullable String sql) {
		if (sql != null && SCHEMA_WRITES.contains(firstKeyword(sql))) {
			this.schemaWritten = true;
		}
	}

	/**
	 * Whether the commit just made wrote anything since the last commit or rollback; the next
	 * call counts from here.
	 * @return {@code true} if it changed rows or ran a schema statement
	 * @throws SQLException if the count of changes cannot be read
	 */
	boolean committedWrites() throws SQLException {
		boolean wrote = settle() || this.schemaWritten;
		this.schemaWritten = false;
		return wrote;
	}

	/**
	 * Forgets what the transaction did: after a rollback, or after a statement in auto-commit
	 * mode that committed nothing (a {@code CREATE TABLE IF NOT EXISTS} of an existing table).
	 * @throws SQLException if the count of changes cannot be read
	 */
	void forget() throws SQLException {
		settle();
		this.schemaWritten = false;
	}

	private boolean settle() throws SQLException {
		if (this.connection.isClosed()) {
			// Its native handle is gone; a closed connection commits nothing more.
			return false;
		}
		long changes = this.connection.getDatabase().total_changes();
		boolean grew = changes != this.changesSeen;
		this.changesSeen = changes;
		return grew;
	}

	/** The statement's first word, upper case, after whitespace and comments. */
	static String firstKeyword(String sql) {
		int i = 0;
		int length = sql.length();
		while (i < length) {
			char c = sql.charAt(i);
			if (Character.isWhitespace(c)) {
				i++;
			}
			else if (sql.startsWith("--", i)) {
				int end = sql.indexOf('\n', i);
				i = (end < 0) ? length : end + 1;
			}
			else if (sql.startsWith("/*", i)) {
				int end = sql.indexOf("*/", i + 2);
				i = (end < 0) ? length : end + 2;
			}
			else {
				break;
			}
		}
		int start = i;
		while (i < length && Character.isLetter(sql.charAt(i))) {
			i++;
		}
		return sql.substring(start, i).toUpperCase(Locale.ROOT);
	}

}
