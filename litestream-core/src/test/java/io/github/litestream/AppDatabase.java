package io.github.litestream;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The application's side of a test: its own SQLite connection, configured as the starter
 * configures pooled connections, writing numbered rows one transaction at a time.
 */
public final class AppDatabase implements AutoCloseable {

	private final Path path;

	private Connection connection;

	private long lastSeq;

	public AppDatabase(Path path) throws SQLException {
		this.path = path;
		open();
	}

	private void open() throws SQLException {
		this.connection = DriverManager.getConnection("jdbc:sqlite:" + this.path);
		try (Statement s = this.connection.createStatement()) {
			s.execute("PRAGMA busy_timeout=5000");
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("PRAGMA wal_autocheckpoint=0");
			s.execute("PRAGMA synchronous=NORMAL");
			s.execute("CREATE TABLE IF NOT EXISTS t (seq INTEGER PRIMARY KEY, payload BLOB)");
			try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM t")) {
				rs.next();
				this.lastSeq = rs.getLong(1);
			}
		}
	}

	/** Inserts {@code count} rows, one transaction each; returns the last seq. */
	public long insert(int count) throws SQLException {
		try (Statement s = this.connection.createStatement()) {
			for (int i = 0; i < count; i++) {
				this.lastSeq++;
				s.execute("INSERT INTO t (seq, payload) VALUES (" + this.lastSeq + ", randomblob(300))");
			}
		}
		return this.lastSeq;
	}

	public long lastSeq() {
		return this.lastSeq;
	}

	public Connection connection() {
		return this.connection;
	}

	public void execute(String sql) throws SQLException {
		try (Statement s = this.connection.createStatement()) {
			s.execute(sql);
		}
	}

	/** Row count, max(seq) and sum(seq) of a database file, plus its integrity check. */
	public static Summary summarize(Path file) throws SQLException {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
			String integrity;
			try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
				rs.next();
				integrity = rs.getString(1);
			}
			try (ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(MAX(seq), 0), COALESCE(SUM(seq), 0) FROM t")) {
				rs.next();
				return new Summary(rs.getLong(1), rs.getLong(2), rs.getLong(3), integrity);
			}
		}
	}

	/** What the live database holds now. */
	public Summary summary() throws SQLException {
		return summarize(this.path);
	}

	@Override
	public void close() throws SQLException {
		if (this.connection != null) {
			this.connection.close();
			this.connection = null;
		}
	}

	/**
	 * @param count rows
	 * @param max highest seq
	 * @param sum sum of seq: equal to max*(max+1)/2 exactly when the rows are the gap-free prefix 1..max
	 * @param integrity the result of {@code PRAGMA integrity_check}
	 */
	public record Summary(long count, long max, long sum, String integrity) {

		public boolean isGapFreePrefix() {
			return this.count == this.max && this.sum == this.max * (this.max + 1) / 2;
		}

	}

}
