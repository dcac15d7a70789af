package io.github.litestream;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Decides whether a restored database equals exactly one committed state of a
 * {@link PageWriter}'s history, and which one.
 *
 * <p>State 0 is the table with every row at version 0; state {@code k} is state {@code k-1}
 * with the rows of transaction {@code k} at version {@code k}. Because every transaction
 * changes at least one row, the only state a database can equal is the one numbered by its
 * highest version: the oracle replays the history up to it and compares every row's version,
 * and every row's payload against the one derived from its id and version. A file that mixes
 * pages of two moments fails this even when {@code PRAGMA integrity_check} and any "gap-free
 * counter" pass.
 *
 * <p>The history comes from a log the writer appends to after each commit returns, so a writer
 * killed between a commit and its log line has one more committed transaction than logged:
 * the oracle then also accepts state {@code L+1} (where {@code L} is the last logged one), as
 * state {@code L} plus up to {@value PageWriter#MAX_ROWS_PER_TRANSACTION} rows at version
 * {@code L+1}.
 *
 * <p>Log format, one line each: {@code rows <n>}, then per transaction
 * {@code tx <k> <millis when it began> <id>,<id>... [<millis when its commit returned>]}.
 */
public final class ConsistencyOracle {

	/** Payload bytes per row: about a page, so each row has a leaf page of its own. */
	public static final int PAYLOAD_SIZE = 3500;

	private final int rows;

	/** Transaction {@code k} at {@code k - 1}. */
	private final List<Transaction> transactions = new ArrayList<>();

	/**
	 * Creates an oracle for a table of {@code rows} rows with no transaction yet.
	 * @param rows how many rows the table has
	 */
	public ConsistencyOracle(int rows) {
		this.rows = rows;
	}

	/**
	 * The payload of row {@code id} at {@code version}.
	 * @param id the row
	 * @param version its version
	 * @return {@value #PAYLOAD_SIZE} bytes
	 */
	public static byte[] payload(int id, long version) {
		byte[] bytes = new byte[PAYLOAD_SIZE];
		new SplittableRandom(id * 0x9E3779B97F4A7C15L + version).nextBytes(bytes);
		return bytes;
	}

	/**
	 * Records the next transaction, which committed.
	 * @param beganAtMillis when it began (before the commit)
	 * @param ids the rows it changed
	 * @return its number
	 */
	public synchronized int committed(long beganAtMillis, int[] ids) {
		return committed(beganAtMillis, beganAtMillis, ids);
	}

	private synchronized int committed(long beganAtMillis, long committedAtMillis, int[] ids) {
		this.transactions.add(new Transaction(beganAtMillis, committedAtMillis, ids.clone()));
		return this.transactions.size();
	}

	/**
	 * The number of the last recorded transaction (0 if none).
	 * @return the number
	 */
	public synchronized int lastLogged() {
		return this.transactions.size();
	}

	/**
	 * When a transaction began.
	 * @param k its number, at least 1
	 * @return epoch milliseconds
	 */
	public synchronized long beganAtMillis(int k) {
		return this.transactions.get(k - 1).beganAtMillis();
	}

	/**
	 * The last transaction that began no later than a moment.
	 * @param millis epoch milliseconds
	 * @return its number, 0 if none
	 */
	public synchronized int lastBeganBefore(long millis) {
		int k = this.transactions.size();
		while (k > 0 && beganAtMillis(k) > millis) {
			k--;
		}
		return k;
	}

	/**
	 * The last transaction whose commit returned no later than a moment (when the log says when
	 * commits returned; otherwise when they began).
	 * @param millis epoch milliseconds
	 * @return its number, 0 if none
	 */
	public synchronized int lastCommittedBefore(long millis) {
		int k = this.transactions.size();
		while (k > 0 && this.transactions.get(k - 1).committedAtMillis() > millis) {
			k--;
		}
		return k;
	}

	/**
	 * The history up to a state: what a database that equals that state has seen, when the
	 * transactions after it were lost (a killed writer's last ones) and new ones follow.
	 * @param k the last transaction kept
	 * @return a new oracle
	 */
	public synchronized ConsistencyOracle upTo(int k) {
		ConsistencyOracle oracle = new ConsistencyOracle(this.rows);
		oracle.transactions.addAll(this.transactions.subList(0, k));
		return oracle;
	}

	/**
	 * Reads a history written by {@link LogWriter}; a torn last line is ignored.
	 * @param log the log file
	 * @return the oracle
	 * @throws IOException if the log cannot be read
	 */
	public static ConsistencyOracle read(Path log) throws IOException {
		String content = Files.readString(log, StandardCharsets.UTF_8);
		// Only whole lines: the writer may have been killed in the middle of one.
		List<String> lines = List.of(content.substring(0, content.lastIndexOf('\n') + 1).split("\n"));
		if (!lines.get(0).startsWith("rows ")) {
			throw new IOException("History log " + log + " does not start with 'rows <n>'");
		}
		ConsistencyOracle oracle = new ConsistencyOracle(Integer.parseInt(lines.get(0).substring(5).trim()));
		for (String line : lines.subList(1, lines.size())) {
			String[] fields = line.split(" ");
			int k = Integer.parseInt(fields[1]);
			if (k != oracle.lastLogged() + 1) {
				throw new IOException("History log " + log + " skips from transaction " + oracle.lastLogged() + " to " + k);
			}
			int[] ids = Arrays.stream(fields[3].split(",")).mapToInt(Integer::parseInt).toArray();
			long began = Long.parseLong(fields[2]);
			oracle.committed(began, (fields.length > 4) ? Long.parseLong(fields[4]) : began, ids);
		}
		return oracle;
	}

	/**
	 * Which committed state a database equals.
	 * @param database the database file
	 * @return the state
	 * @throws AssertionError if it equals no committed state, saying why
	 * @throws SQLException if it cannot be read
	 */
	public Match check(Path database) throws SQLException {
		int[] versions = new int[this.rows + 1];
		List<String> problems = new ArrayList<>();
		readRows(database, versions, problems);
		if (!problems.isEmpty()) {
			throw new AssertionError(database + " equals no committed state: " + problems);
		}
		int highest = Arrays.stream(versions).max().orElse(0);
		int logged = lastLogged();
		if (highest > logged + 1) {
			throw new AssertionError(database + " holds version " + highest + " but only " + logged
					+ " transactions were logged (at most one more can have committed)");
		}
		boolean unlogged = highest == logged + 1;
		int[] expected = versionsAt(unlogged ? logged : highest);
		int unloggedRows = 0;
		for (int id = 1; id <= this.rows; id++) {
			if (unlogged && versions[id] == highest) {
				unloggedRows++;
			}
			else if (versions[id] != expected[id]) {
				problems.add("row " + id + " has version " + versions[id] + ", state " + highest + " has "
						+ expected[id]);
			}
		}
		if (unloggedRows > PageWriter.MAX_ROWS_PER_TRANSACTION) {
			problems.add(unloggedRows + " rows have the unlogged version " + highest + "; a transaction changes at most "
					+ PageWriter.MAX_ROWS_PER_TRANSACTION);
		}
		if (!problems.isEmpty()) {
			throw new AssertionError(database + " equals no committed state (it mixes moments): its newest row is of state "
					+ highest + ", but " + problems);
		}
		return new Match(highest, unlogged);
	}

	private void readRows(Path database, int[] versions, List<String> problems) throws SQLException {
		int seen = 0;
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT id, version, payload FROM pages ORDER BY id")) {
			while (rs.next()) {
				int id = rs.getInt(1);
				long version = rs.getLong(2);
				if (id < 1 || id > this.rows || version < 0 || version > Integer.MAX_VALUE) {
					problems.add("unexpected row " + id + " at version " + version);
					continue;
				}
				seen++;
				versions[id] = (int) version;
				if (!Arrays.equals(rs.getBytes(3), payload(id, version))) {
					problems.add("row " + id + " has a payload that is not that of its version " + version);
				}
			}
		}
		if (seen != this.rows) {
			problems.add("it has " + seen + " rows, not " + this.rows);
		}
	}

	/** Every row's version in state {@code k}. */
	private synchronized int[] versionsAt(int k) {
		int[] versions = new int[this.rows + 1];
		for (int tx = 1; tx <= k; tx++) {
			for (int id : this.transactions.get(tx - 1).ids()) {
				versions[id] = tx;
			}
		}
		return versions;
	}

	/**
	 * A committed state a database equals.
	 *
	 * @param state its number: the transactions it includes
	 * @param unlogged whether it is the one transaction that committed but was not logged
	 */
	public record Match(int state, boolean unlogged) {
	}

	private record Transaction(long beganAtMillis, long committedAtMillis, int[] ids) {
	}

	/**
	 * Appends a history to a log file, one line per committed transaction, flushed to the
	 * operating system (not forced to disk: a killed process's writes survive; the machine is
	 * not crashed).
	 */
	public static final class LogWriter implements AutoCloseable {

		private final BufferedWriter out;

		/**
		 * Creates the log.
		 * @param log the file
		 * @param rows how many rows the table has
		 * @throws IOException if it cannot be written
		 */
		public LogWriter(Path log, int rows) throws IOException {
			this.out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
					StandardOpenOption.TRUNCATE_EXISTING);
			this.out.write("rows " + rows + "\n");
			this.out.flush();
		}

		/**
		 * Logs a transaction after its commit returned.
		 * @param k its number
		 * @param beganAtMillis when it began
		 * @param ids the rows it changed
		 * @throws IOException if it cannot be written
		 */
		public void committed(long k, long beganAtMillis, int[] ids) throws IOException {
			write("tx " + k + " " + beganAtMillis + " " + list(ids));
		}

		/**
		 * Logs a transaction after its commit returned, with when it did.
		 * @param k its number
		 * @param beganAtMillis when it began
		 * @param committedAtMillis when its commit returned
		 * @param ids the rows it changed
		 * @throws IOException if it cannot be written
		 */
		public void committed(long k, long beganAtMillis, long committedAtMillis, int[] ids) throws IOException {
			write("tx " + k + " " + beganAtMillis + " " + list(ids) + " " + committedAtMillis);
		}

		private static String list(int[] ids) {
			return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
		}

		private void write(String line) throws IOException {
			this.out.write(line + "\n");
			this.out.flush();
		}

		@Override
		public void close() throws IOException {
			this.out.close();
		}

	}

}
