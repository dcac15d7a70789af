package io.github.litestream;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * Everything table {@code t} holds, as a row count and a SHA-256 over every row's {@code seq}
 * and {@code payload} in {@code seq} order: two databases with equal contents hold the same
 * rows byte for byte, so a restore compared with it is compared row by row, not by count.
 *
 * @param rows the number of rows
 * @param sha256 the digest of all rows
 */
public record TableContents(long rows, String sha256) {

	/**
	 * Reads the table through a connection that is already open.
	 * @param connection the connection
	 * @return the contents
	 * @throws SQLException if the table cannot be read
	 */
	public static TableContents of(Connection connection) throws SQLException {
		MessageDigest digest = newDigest();
		long rows = 0;
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT seq, payload FROM t ORDER BY seq")) {
			while (result.next()) {
				byte[] payload = result.getBytes(2);
				digest.update(Long.toString(result.getLong(1)).getBytes());
				digest.update((byte) ':');
				digest.update(HexFormat.of().formatHex(payload).getBytes());
				digest.update((byte) '\n');
				rows++;
			}
		}
		return new TableContents(rows, HexFormat.of().formatHex(digest.digest()));
	}

	/**
	 * Reads a database file, after checking that SQLite finds it undamaged.
	 * @param file the database
	 * @return the contents
	 * @throws SQLException if it cannot be read
	 * @throws AssertionError if {@code PRAGMA integrity_check} finds damage
	 */
	public static TableContents read(Path file) throws SQLException {
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
				Statement statement = connection.createStatement()) {
			try (ResultSet result = statement.executeQuery("PRAGMA integrity_check")) {
				result.next();
				if (!"ok".equals(result.getString(1))) {
					throw new AssertionError(file + " is damaged: " + result.getString(1));
				}
			}
			return of(connection);
		}
	}

	private static MessageDigest newDigest() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public String toString() {
		return this.rows + " rows, sha256 " + this.sha256.substring(0, 16);
	}

}
