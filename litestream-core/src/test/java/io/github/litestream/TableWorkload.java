package io.github.litestream;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An application writing table {@code t} through sqlite-jdbc, with the connection settings
 * Litestream asks of applications (WAL mode, no automatic checkpoints, a busy timeout): each
 * commit is one transaction that inserts rows, rewrites an earlier row's payload and, every
 * third time, deletes a row, so its states differ in contents and not only in row count.
 */
public final class TableWorkload implements AutoCloseable {

	private final Connection connection;

	private long commits;

	private long lastSeq;

	public TableWorkload(Path path) throws SQLException {
		this.connection = DriverManager.getConnection("jdbc:sqlite:" + path);
		execute("PRAGMA busy_timeout=5000");
		execute("PRAGMA journal_mode=WAL");
		execute("PRAGMA wal_autocheckpoint=0");
		execute("PRAGMA synchronous=NORMAL");
		execute("CREATE TABLE IF NOT EXISTS t (seq INTEGER PRIMARY KEY, payload BLOB)");
	}

	/**
	 * Commits one transaction.
	 * @param inserts the number of rows it inserts
	 * @return the table's contents once it committed
	 * @throws SQLException if SQLite fails
	 */
	public TableContents commit(int inserts) throws SQLException {
		this.commits++;
		this.connection.setAutoCommit(false);
		try (Statement statement = this.connection.createStatement()) {
			for (int i = 0; i < inserts; i++) {
				this.lastSeq++;
				statement.execute("INSERT INTO t (seq, payload) VALUES (" + this.lastSeq + ", randomblob(300))");
			}
			// Rows the transaction did not insert change too: a restore mixing two states shows.
			statement.execute("UPDATE t SET payload = randomblob(120) WHERE seq = " + (1 + this.commits % this.lastSeq));
			if (this.commits % 3 == 0) {
				statement.execute("DELETE FROM t WHERE seq = (SELECT MIN(seq) FROM t)");
			}
			this.connection.commit();
		}
		finally {
			this.connection.setAutoCommit(true);
		}
		return contents();
	}

	/**
	 * What the table holds now, read through this connection.
	 * @return the contents
	 * @throws SQLException if SQLite fails
	 */
	public TableContents contents() throws SQLException {
		return TableContents.of(this.connection);
	}

	public void execute(String sql) throws SQLException {
		try (Statement statement = this.connection.createStatement()) {
			statement.execute(sql);
		}
	}

	@Override
	public void close() throws SQLException {
		this.connection.close();
	}

}
