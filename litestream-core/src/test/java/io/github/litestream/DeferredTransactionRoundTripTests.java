package io.github.litestream;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deferred application transactions that read and then write across the engine's checkpoints
 * (monitor steps), end to end with a file replica and the real restore: they commit, the
 * application's own write restarts the WAL, the generation goes on, and a restore gives back
 * exactly the rows committed, at the end of each index.
 */
class DeferredTransactionRoundTripTests {

	@TempDir
	Path dir;

	private Path dbPath;

	private AppDatabase app;

	private ReplicatedDatabase database;

	private FileReplicaClient client;

	private Replica replica;

	private final List<String> generations = new CopyOnWriteArrayList<>();

	@BeforeEach
	void setUp() throws Exception {
		this.dbPath = this.dir.resolve("app.db");
		this.app = new AppDatabase(this.dbPath);
		this.client = new FileReplicaClient(this.dir.resolve("replica"));
		MutableClock clock = new MutableClock();
		this.database = new ReplicatedDatabase(
				DatabaseOptions.defaults(this.dbPath).withCheckpoints(Duration.ofMinutes(1), 8, 10000), clock);
		this.database.addListener(new DatabaseListener() {
			@Override
			public void onGeneration(String generation, String reason) {
				DeferredTransactionRoundTripTests.this.generations.add(reason);
			}
		});
		this.database.open();
		this.replica = new Replica(this.database, this.client, ReplicaOptions.defaults("file"), clock);
	}

	@AfterEach
	void tearDown() throws Exception {
		this.app.close();
		this.database.close();
	}

	@Test
	void restoresWhatDeferredTransactionsCommittedAcrossCheckpoints() throws Exception {
		this.app.insert(10);
		sync();
		Pos first = this.database.position().orElseThrow();
		List<String> endOfFirstIndex = contents(this.dbPath);
		// Restarts the WAL that the checkpoint above emptied: the next index.
		this.app.insert(10);
		try (Connection tx = transaction()) {
			// Reads before a monitor step whose checkpoint is due, writes after it.
			long max = maxSeq(tx);
			this.database.sync();
			insert(tx, max + 1000);
			tx.commit();
		}
		sync();
		Pos second = this.database.position().orElseThrow();
		assertThat(second.index()).isEqualTo(first.index() + 1);
		List<String> endOfSecondIndex = contents(this.dbPath);

		try (Connection tx = transaction()) {
			// Reads the database file only (the last step's checkpoint emptied the WAL), through
			// a step with nothing to do, and its write restarts the WAL.
			long max = maxSeq(tx);
			this.database.sync();
			insert(tx, max + 2000);
			tx.commit();
		}
		sync();
		this.app.insert(3);
		sync();
		List<String> latest = contents(this.dbPath);

		Pos end = this.replica.position().orElseThrow();
		assertThat(this.generations).as("one generation, from the start").hasSize(1);
		assertThat(end.generation()).isEqualTo(first.generation());
		assertThat(end.index()).as("the application's write began the next index").isEqualTo(second.index() + 1);
		assertThat(restore("latest.db", null)).isEqualTo(latest);
		assertThat(restore("first.db", first.index())).isEqualTo(endOfFirstIndex);
		assertThat(restore("second.db", second.index())).isEqualTo(endOfSecondIndex);
		assertThat(endOfSecondIndex).hasSize(endOfFirstIndex.size() + 11);
		assertThat(latest).hasSize(endOfSecondIndex.size() + 4);
	}

	private void sync() throws Exception {
		this.database.sync();
		this.replica.sync();
	}

	private Connection transaction() throws SQLException {
		// sqlite-jdbc's default: a deferred BEGIN, so the first read takes the read snapshot.
		Connection tx = DriverManager.getConnection("jdbc:sqlite:" + this.dbPath);
		try (Statement s = tx.createStatement()) {
			s.execute("PRAGMA busy_timeout=5000");
			s.execute("PRAGMA wal_autocheckpoint=0");
		}
		tx.setAutoCommit(false);
		return tx;
	}

	private static long maxSeq(Connection tx) throws SQLException {
		try (Statement s = tx.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(seq) FROM t")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static void insert(Connection tx, long seq) throws SQLException {
		try (Statement s = tx.createStatement()) {
			s.execute("INSERT INTO t (seq, payload) VALUES (" + seq + ", randomblob(300))");
		}
	}

	private List<String> restore(String name, Long index) throws Exception {
		Path out = this.dir.resolve("restored").resolve(name);
		RestoreOptions options = RestoreOptions.latest(out);
		new Restorer().restore(this.client, (index != null) ? options.withIndex(index) : options);
		return contents(out);
	}

	/** Every row, in order, with its payload. */
	private static List<String> contents(Path db) throws SQLException {
		List<String> rows = new ArrayList<>();
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT seq, hex(payload) FROM t ORDER BY seq")) {
			while (rs.next()) {
				rows.add(rs.getLong(1) + ":" + rs.getString(2));
			}
		}
		return rows;
	}

}
