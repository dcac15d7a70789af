package io.github.litestream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.github.litestream.sqlite.PromptBusyHandler;

/**
 * The application's side of every benchmark: one SQLite connection with the pragmas the starter
 * gives pooled connections (WAL, {@code synchronous=NORMAL}, {@code wal_autocheckpoint=0},
 * {@code busy_timeout}; and, with {@link #retryLocksPromptly()}, the prompt busy handler),
 * writing rows that are half random hex text and half a repeated
 * pattern, so LZ4 shrinks them to a bit over half, as with typical application data (pure
 * random bytes or random hex would not compress at all).
 */
public final class Workload implements AutoCloseable {

	/** Bytes of text per row written by {@link #insert()}. */
	public static final int ROW_BYTES = 300;

	private final Path path;

	private final Connection connection;

	private final PreparedStatement insert;

	/**
	 * Opens (and creates if needed) a database and its table.
	 * @param path the database file
	 * @throws SQLException if SQLite refuses
	 */
	public Workload(Path path) throws SQLException {
		this.path = path;
		this.connection = DriverManager.getConnection("jdbc:sqlite:" + path);
		execute("PRAGMA busy_timeout=5000");
		execute("PRAGMA journal_mode=WAL");
		execute("PRAGMA synchronous=NORMAL");
		execute("PRAGMA wal_autocheckpoint=0");
		execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, payload TEXT)");
		this.insert = this.connection.prepareStatement("INSERT INTO t (payload) VALUES (" + payload(ROW_BYTES) + ")");
	}

	/**
	 * Waits for locks with the prompt busy handler the starter gives the connections it
	 * configures, instead of SQLite's busy timeout (same limit).
	 * @throws SQLException if SQLite refuses
	 */
	public void retryLocksPromptly() throws SQLException {
		PromptBusyHandler.install(this.connection, Duration.ofSeconds(5));
	}

	/**
	 * Inserts one row of {@link #ROW_BYTES} in its own transaction.
	 * @throws SQLException if SQLite refuses
	 */
	public void insert() throws SQLException {
		this.insert.executeUpdate();
	}

	/**
	 * Inserts about {@code bytes} of rows in one transaction, with one statement.
	 * @param bytes how much text to add
	 * @param rowBytes text per row (even)
	 * @throws SQLException if SQLite refuses
	 */
	public void bulkInsert(long bytes, int rowBytes) throws SQLException {
		long rows = Math.max(1, bytes / rowBytes);
		execute("INSERT INTO t (payload) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
				+ rows + ") SELECT " + payload(rowBytes) + " FROM n");
	}

	/** SQL for a row of {@code bytes} characters: random hex, then a repeated pattern. */
	private static String payload(int bytes) {
		int quarter = bytes / 4;
		return "hex(randomblob(" + quarter + ")) || replace(hex(zeroblob(" + quarter + ")), '00', 'a ')";
	}

	/**
	 * Runs a statement.
	 * @param sql the statement
	 * @throws SQLException if SQLite refuses
	 */
	public void execute(String sql) throws SQLException {
		try (Statement statement = this.connection.createStatement()) {
			statement.execute(sql);
		}
	}

	/**
	 * The size of the WAL file now (the end of the last commit, since nothing checkpoints it
	 * unless the engine does).
	 * @return the size in bytes, 0 if there is no WAL
	 */
	public long walSize() {
		try {
			return Files.size(Path.of(this.path + "-wal"));
		}
		catch (java.io.IOException ex) {
			return 0;
		}
	}

	/**
	 * The database file.
	 * @return the path
	 */
	public Path path() {
		return this.path;
	}

	@Override
	public void close() throws SQLException {
		this.insert.close();
		this.connection.close();
	}

}
