package io.github.litestream.restore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Reads a restored database with real SQLite: through sqlite-jdbc and the {@code sqlite3} CLI.
 */
final class RestoredDatabase {

	private RestoredDatabase() {
	}

	/**
	 * Row count, max(seq) and sum(seq) of table t.
	 * @param database the database
	 * @return the summary, as the fixture's expected.txt states it
	 * @throws SQLException if it cannot be read
	 */
	static Fixture.Expected summary(Path database, Long index) throws SQLException {
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("select count(*), max(seq), sum(seq) from t")) {
			result.next();
			return new Fixture.Expected(index, result.getLong(1), result.getLong(2), result.getLong(3));
		}
	}

	/**
	 * Checks that a restore of the fixture equals exactly one committed state of its history:
	 * the writer inserted row {@code k} in transaction {@code k} and changed nothing else, so
	 * state {@code k} is exactly the rows 1..k.
	 * @param database the restored database
	 * @return its summary
	 * @throws SQLException if it cannot be read
	 */
	static Fixture.Expected oneCommittedState(Path database) throws SQLException {
		Fixture.Expected summary = summary(database, null);
		long max = summary.maxSeq();
		if (summary.count() != max || summary.sumSeq() != max * (max + 1) / 2) {
			throw new AssertionError(database + " equals no committed state of the fixture's history: " + summary.count()
					+ " rows, max(seq) " + max + ", sum(seq) " + summary.sumSeq() + " are not the rows 1.." + max);
		}
		return summary;
	}

	/**
	 * Runs the {@code sqlite3} CLI and returns its standard output.
	 * @param database the database
	 * @param sql the statement
	 * @return stdout as bytes
	 * @throws IOException if the CLI fails
	 * @throws InterruptedException if interrupted
	 */
	static byte[] sqlite3(Path database, String sql) throws IOException, InterruptedException {
		return run(List.of("sqlite3", database.toString(), sql));
	}

	static String integrityCheckWithCli(Path database) throws IOException, InterruptedException {
		return new String(sqlite3(database, "PRAGMA integrity_check"), StandardCharsets.UTF_8).trim();
	}

	static String payloadSha256WithCli(Path database) throws IOException, InterruptedException {
		return sha256(sqlite3(database, "select hex(payload) from t order by seq"));
	}

	static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Runs a command-line tool, skipping the test if it is not installed.
	 * @param command the command
	 * @return its stdout
	 * @throws IOException if it fails
	 * @throws InterruptedException if interrupted
	 */
	static byte[] run(List<String> command) throws IOException, InterruptedException {
		Process process;
		try {
			process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		}
		catch (IOException ex) {
			Assumptions.abort("The '" + command.get(0) + "' command-line tool is not installed: " + ex.getMessage());
			throw ex;
		}
		process.getOutputStream().close();
		byte[] out = process.getInputStream().readAllBytes();
		if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IOException("Command failed: " + command);
		}
		return out;
	}

}
