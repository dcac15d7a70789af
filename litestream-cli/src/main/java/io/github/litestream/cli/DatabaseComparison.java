package io.github.litestream.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.sqlite.SQLiteConfig;

/**
 * Compares two databases by content: the same tables with the same schema and the same rows,
 * read in one read transaction each. Page layout is not compared (a live database's file
 * differs from a restored one until its WAL is checkpointed), and neither are the engine's own
 * {@code _litestream_*} tables. The live database is opened read-only; one with no {@code -wal}
 * file (no process has it open in WAL mode) is read as immutable, so that reading it leaves no
 * {@code -wal} or {@code -shm} file behind.
 */
final class DatabaseComparison {

	private static final String TABLES = "SELECT name, sql FROM sqlite_schema WHERE type = 'table' "
			+ "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_litestream\\_%' ESCAPE '\\' ORDER BY name";

	private DatabaseComparison() {
	}

	/**
	 * Compares a live database with a restored one.
	 * @param live the live database
	 * @param restored the restored database
	 * @return {@code equal}, or {@code differs: } and the first difference
	 * @throws SQLException if either can't be read
	 */
	static String compare(Path live, Path restored) throws SQLException {
		Map<String, TableDigest> liveTables = digest(live);
		Map<String, TableDigest> restoredTables = digest(restored);
		for (Map.Entry<String, TableDigest> entry : liveTables.entrySet()) {
			TableDigest other = restoredTables.get(entry.getKey());
			String table = "table " + entry.getKey();
			if (other == null) {
				return "differs: " + table + " is missing from the backup";
			}
			if (!Objects.equals(entry.getValue().sql(), other.sql())) {
				return "differs: the schema of " + table + " differs";
			}
			if (entry.getValue().rows() != other.rows()) {
				return "differs: " + table + " has " + entry.getValue().rows() + " rows live, " + other.rows()
						+ " in the backup";
			}
			if (!entry.getValue().sha256().equals(other.sha256())) {
				return "differs: the rows of " + table + " differ";
			}
		}
		for (String name : restoredTables.keySet()) {
			if (!liveTables.containsKey(name)) {
				return "differs: table " + name + " is only in the backup";
			}
		}
		return "equal";
	}

	private static Map<String, TableDigest> digest(Path database) throws SQLException {
		SQLiteConfig config = new SQLiteConfig();
		config.setReadOnly(true);
		Map<String, TableDigest> tables = new LinkedHashMap<>();
		boolean inUse = Files.exists(database.resolveSibling(database.getFileName() + "-wal"));
		String url = inUse ? "jdbc:sqlite:" + database : "jdbc:sqlite:" + database.toUri() + "?immutable=1";
		try (Connection connection = config.createConnection(url)) {
			connection.setAutoCommit(false); // one read transaction: a consistent state of a live database
			try (Statement statement = connection.createStatement()) {
				Map<String, String> schema = new LinkedHashMap<>();
				try (ResultSet result = statement.executeQuery(TABLES)) {
					while (result.next()) {
						schema.put(result.getString(1), result.getString(2));
					}
				}
				for (Map.Entry<String, String> table : schema.entrySet()) {
					tables.put(table.getKey(), digestRows(statement, table.getKey(), table.getValue()));
				}
			}
			connection.rollback();
		}
		return tables;
	}

	private static TableDigest digestRows(Statement statement, String table, String sql) throws SQLException {
		MessageDigest digest = sha256();
		long rows = 0;
		try (ResultSet result = statement.executeQuery("SELECT * FROM \"" + table.replace("\"", "\"\"") + "\"")) {
			int columns = result.getMetaData().getColumnCount();
			while (result.next()) {
				rows++;
				for (int i = 1; i <= columns; i++) {
					Object value = result.getObject(i);
					String text = (value == null) ? "\u0000null"
							: (value instanceof byte[] bytes) ? "blob:" + HexFormat.of().formatHex(bytes)
									: value.getClass().getSimpleName() + ":" + value;
					digest.update(text.getBytes(StandardCharsets.UTF_8));
					digest.update((byte) 0x1f);
				}
				digest.update((byte) 0x1e);
			}
		}
		return new TableDigest(sql, rows, HexFormat.of().formatHex(digest.digest()));
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record TableDigest(String sql, long rows, String sha256) {

	}

}
