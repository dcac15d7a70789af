package io.github.litestream;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The {@link ConsistencyOracle} itself, on real SQLite files: it names the state a database
 * equals, and it rejects a file that mixes pages of two moments although SQLite's integrity
 * check passes it.
 */
class ConsistencyOracleTests {

	private static final int ROWS = 12;

	@TempDir
	Path dir;

	private Path db;

	private Connection connection;

	private PageWriter writer;

	private final ConsistencyOracle oracle = new ConsistencyOracle(ROWS);

	@BeforeEach
	void createDatabase() throws Exception {
		this.db = this.dir.resolve("app.db");
		this.connection = DriverManager.getConnection("jdbc:sqlite:" + this.db);
		PageWriter.createTable(this.connection, ROWS);
		this.writer = new PageWriter(this.connection, ROWS, 42);
	}

	@AfterEach
	void close() throws Exception {
		this.writer.close();
		this.connection.close();
	}

	@Test
	void namesTheCommittedStateADatabaseEquals() throws Exception {
		assertThat(this.oracle.check(copy("state-0.db"))).isEqualTo(new ConsistencyOracle.Match(0, false));
		for (int k = 1; k <= 30; k++) {
			commitAndRecord(k);
			if (k % 7 == 0) {
				assertThat(this.oracle.check(copy("state-" + k + ".db")).state()).isEqualTo(k);
			}
		}
	}

	@Test
	void rejectsAFileThatMixesPagesOfTwoMomentsThatIntegrityCheckAccepts() throws Exception {
		for (int k = 1; k <= 5; k++) {
			commitAndRecord(k);
		}
		Path before = checkpointedCopy("before.db");
		this.oracle.committed(System.currentTimeMillis(), this.writer.commit(6, 1, 2));
		Path after = checkpointedCopy("after.db");
		assertThat(this.oracle.check(before).state()).isEqualTo(5);
		assertThat(this.oracle.check(after).state()).isEqualTo(6);

		// Transaction 6 changed two leaf pages; put one of them back as it was before.
		Path mixed = this.dir.resolve("mixed.db");
		Files.copy(after, mixed);
		int page = firstDifferingPageAfterTheHeader(before, after);
		copyPage(before, mixed, page);

		assertThat(integrityCheck(mixed)).isEqualTo("ok");
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> this.oracle.check(mixed))
			.withMessageContaining("equals no committed state (it mixes moments)")
			.withMessageContaining("state 6");
	}

	@Test
	void acceptsOneCommittedTransactionThatWasNotLoggedButNotTwo() throws Exception {
		for (int k = 1; k <= 3; k++) {
			commitAndRecord(k);
		}
		this.writer.commit(4);
		assertThat(this.oracle.check(copy("unlogged.db"))).isEqualTo(new ConsistencyOracle.Match(4, true));
		this.writer.commit(5);
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> this.oracle.check(copy("two-unlogged.db")))
			.withMessageContaining("holds version 5 but only 3 transactions were logged");
	}

	@Test
	void rejectsARowWhosePayloadIsNotThatOfItsVersion() throws Exception {
		commitAndRecord(1);
		try (Statement s = this.connection.createStatement()) {
			s.execute("UPDATE pages SET version = 0 WHERE id = (SELECT id FROM pages WHERE version = 1 LIMIT 1)");
		}
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> this.oracle.check(copy("torn.db")))
			.withMessageContaining("a payload that is not that of its version 0");
	}

	@Test
	void readsTheLogAWriterLeftIgnoringATornLastLine() throws Exception {
		Path log = this.dir.resolve("history.log");
		try (ConsistencyOracle.LogWriter out = new ConsistencyOracle.LogWriter(log, ROWS)) {
			for (int k = 1; k <= 3; k++) {
				long began = System.currentTimeMillis();
				int[] ids = this.writer.commit(k);
				out.committed(k, began, ids);
				this.oracle.committed(began, ids);
			}
		}
		Files.writeString(log, "tx 4 17", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
		ConsistencyOracle read = ConsistencyOracle.read(log);
		assertThat(read.lastLogged()).isEqualTo(3);
		assertThat(read.beganAtMillis(3)).isEqualTo(this.oracle.beganAtMillis(3));
		assertThat(read.check(copy("logged.db")).state()).isEqualTo(3);
	}

	private void commitAndRecord(int k) throws Exception {
		long began = System.currentTimeMillis();
		assertThat(this.oracle.committed(began, this.writer.commit(k))).isEqualTo(k);
	}

	/** A consistent copy of the live database, through SQLite. */
	private Path copy(String name) throws Exception {
		Path copy = this.dir.resolve(name);
		try (Statement s = this.connection.createStatement()) {
			s.execute("VACUUM INTO '" + copy + "'");
		}
		return copy;
	}

	/** A byte copy of the database file once every change is in it, so page numbers are kept. */
	private Path checkpointedCopy(String name) throws Exception {
		try (Statement s = this.connection.createStatement()) {
			s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		}
		Path copy = this.dir.resolve(name);
		Files.copy(this.db, copy);
		return copy;
	}

	private static int firstDifferingPageAfterTheHeader(Path a, Path b) throws Exception {
		byte[] left = Files.readAllBytes(a);
		byte[] right = Files.readAllBytes(b);
		assertThat(left).hasSameSizeAs(right);
		for (int page = 2; page * 4096 <= left.length; page++) {
			int from = (page - 1) * 4096;
			if (!Arrays.equals(left, from, from + 4096, right, from, from + 4096)) {
				return page;
			}
		}
		throw new AssertionError("no page differs");
	}

	private static void copyPage(Path from, Path to, int page) throws Exception {
		ByteBuffer buffer = ByteBuffer.allocate(4096);
		try (FileChannel in = FileChannel.open(from); FileChannel out = FileChannel.open(to, StandardOpenOption.WRITE)) {
			in.read(buffer, (page - 1) * 4096L);
			buffer.flip();
			out.write(buffer, (page - 1) * 4096L);
		}
	}

	private static String integrityCheck(Path database) throws Exception {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database); Statement s = c.createStatement();
				var rs = s.executeQuery("PRAGMA integrity_check")) {
			rs.next();
			return rs.getString(1);
		}
	}

}
