package io.github.litestream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;

/**
 * The writer the {@link ConsistencyOracle} checks against: table
 * {@code pages(id INTEGER PRIMARY KEY, version INTEGER, payload BLOB)} whose rows are each about
 * a page (a {@value ConsistencyOracle#PAYLOAD_SIZE}-byte payload on 4 KiB pages: one row per leaf
 * page, updated in place), and transactions that each change 1 to 4 random rows.
 *
 * <p>Transaction {@code k} sets every row it changes to version {@code k}, with the payload
 * {@link ConsistencyOracle#payload(int, long) derived} from the row's id and that version. So
 * a database file that mixes pages of two moments holds rows of two different states.
 */
public final class PageWriter implements AutoCloseable {

	/** The most rows one transaction changes. */
	static final int MAX_ROWS_PER_TRANSACTION = 4;

	private final Connection connection;

	private final int rows;

	private final SplittableRandom random;

	private final PreparedStatement update;

	/**
	 * Creates a writer on a connection whose database already holds the table.
	 * @param connection the application's connection
	 * @param rows how many rows the table has
	 * @param seed the seed of the random choice of rows
	 * @throws SQLException if the statement cannot be prepared
	 */
	public PageWriter(Connection connection, int rows, long seed) throws SQLException {
		this.connection = connection;
		this.rows = rows;
		this.random = new SplittableRandom(seed);
		this.update = connection.prepareStatement("UPDATE pages SET version = ?, payload = ? WHERE id = ?");
	}

	/**
	 * Configures a connection as the starter configures pooled ones, and creates the table with
	 * every row at version 0 (state 0) in one transaction.
	 * @param connection the connection
	 * @param rows how many rows
	 * @throws SQLException if it fails
	 */
	public static void createTable(Connection connection, int rows) throws SQLException {
		configure(connection);
		try (Statement s = connection.createStatement()) {
			s.execute("BEGIN IMMEDIATE");
			s.execute("CREATE TABLE pages (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, payload BLOB NOT NULL)");
			try (PreparedStatement insert = connection.prepareStatement("INSERT INTO pages VALUES (?, 0, ?)")) {
				for (int id = 1; id <= rows; id++) {
					insert.setInt(1, id);
					insert.setBytes(2, ConsistencyOracle.payload(id, 0));
					insert.executeUpdate();
				}
			}
			s.execute("COMMIT");
		}
	}

	/**
	 * Sets the pragmas the starter sets on every application connection.
	 * @param connection the connection
	 * @throws SQLException if it fails
	 */
	public static void configure(Connection connection) throws SQLException {
		try (Statement s = connection.createStatement()) {
			s.execute("PRAGMA busy_timeout=5000");
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("PRAGMA wal_autocheckpoint=0");
			s.execute("PRAGMA synchronous=NORMAL");
		}
	}

	/**
	 * Commits transaction {@code version}: 1 to 4 distinct random rows get that version.
	 * @param version the transaction's number
	 * @return the ids it changed
	 * @throws SQLException if it fails (then nothing was committed)
	 */
	public int[] commit(long version) throws SQLException {
		return commit(version, randomIds());
	}

	/**
	 * Commits transaction {@code version}, changing the given rows.
	 * @param version the transaction's number
	 * @param ids the rows it changes
	 * @return {@code ids}
	 * @throws SQLException if it fails (then nothing was committed)
	 */
	public int[] commit(long version, int... ids) throws SQLException {
		try (Statement s = this.connection.createStatement()) {
			s.execute("BEGIN IMMEDIATE");
			try {
				for (int id : ids) {
					this.update.setLong(1, version);
					this.update.setBytes(2, ConsistencyOracle.payload(id, version));
					this.update.setInt(3, id);
					this.update.executeUpdate();
				}
				s.execute("COMMIT");
			}
			catch (SQLException ex) {
				s.execute("ROLLBACK");
				throw ex;
			}
		}
		return ids;
	}

	private int[] randomIds() {
		int count = 1 + this.random.nextInt(Math.min(MAX_ROWS_PER_TRANSACTION, this.rows));
		return this.random.ints(1, this.rows + 1).distinct().limit(count).toArray();
	}

	@Override
	public void close() throws SQLException {
		this.update.close();
	}

}
