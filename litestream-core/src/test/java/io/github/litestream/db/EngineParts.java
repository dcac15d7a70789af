package io.github.litestream.db;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pieces behind {@link ReplicatedDatabase}, wired by hand on a real SQLite database, so that
 * each can be tested without the façade: an application connection, the engine's connections,
 * a generation tracker, a policy with a monotonic clock the test moves, and a checkpointer.
 */
final class EngineParts implements AutoCloseable {

	/** The policy's {@code min-checkpoint-page-count}. */
	static final int MIN_PAGES = 20;

	/** The policy's {@code max-checkpoint-page-count}. */
	static final int MAX_PAGES = 60;

	final Path db;

	final Connection app;

	final EngineConnections connections;

	final LocalState localState;

	final List<DatabaseListener> listeners = new CopyOnWriteArrayList<>();

	final AtomicLong nanos = new AtomicLong();

	final CheckpointPolicy policy;

	final ReentrantLock checkpointLock = new ReentrantLock();

	/** The engine's one descriptor on the database file, open as long as these parts. */
	final DatabaseFile databaseFile;

	final GenerationTracker tracker;

	final Checkpointer checkpointer;

	final AtomicLong indexesStarted = new AtomicLong();

	EngineParts(Path dir) throws Exception {
		this(dir, Duration.ofSeconds(5));
	}

	/**
	 * Wires the parts with the engine's busy timeout, which also bounds its longest lock wait.
	 * @param dir where the database goes
	 * @param busyTimeout the engine's busy timeout
	 */
	EngineParts(Path dir, Duration busyTimeout) throws Exception {
		this.db = dir.resolve("app.db");
		this.app = DriverManager.getConnection("jdbc:sqlite:" + this.db);
		try (Statement s = this.app.createStatement()) {
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("PRAGMA wal_autocheckpoint=0");
			s.execute("PRAGMA busy_timeout=5000");
			s.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)");
		}
		this.connections = EngineConnections.open(this.db, busyTimeout);
		this.databaseFile = DatabaseFile.open(this.db);
		this.localState = new LocalState(this.db);
		this.policy = new CheckpointPolicy(
				DatabaseOptions.defaults(this.db).withCheckpoints(Duration.ofMinutes(1), MIN_PAGES, MAX_PAGES),
				Clock.systemUTC(), this.nanos::get);
		Checkpointer[] self = new Checkpointer[1];
		this.tracker = new GenerationTracker(this.db, this.localState, this.listeners, () -> {
			this.indexesStarted.incrementAndGet();
			if (self[0] != null) {
				self[0].indexStarted();
			}
		});
		this.checkpointer = new Checkpointer(this.db.toString(), this.connections, this.tracker, this.policy,
				this.checkpointLock, new CheckpointHold(this.db.toString(), Clock.systemUTC(), Duration.ofMinutes(1)),
				this.databaseFile, this.listeners);
		self[0] = this.checkpointer;
		this.connections.acquireReadLock();
		this.tracker.resume(this.connections, null);
	}

	void insert(int rows) throws SQLException {
		try (Statement s = this.app.createStatement()) {
			for (int i = 0; i < rows; i++) {
				s.execute("INSERT INTO t (v) VALUES (hex(randomblob(100)))");
			}
		}
	}

	/** The rows the database file alone holds, read from a copy without its WAL. */
	int rowsInDatabaseFile(Path scratch) throws Exception {
		Path copy = Files.createDirectories(scratch).resolve("copy.db");
		Files.deleteIfExists(copy);
		Files.copy(this.db, copy);
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy);
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
			rs.next();
			return rs.getInt(1);
		}
	}

	/** Begins a read transaction on {@code reader} that pins the WAL as it is now. */
	static void beginRead(Connection reader) throws SQLException {
		try (Statement s = reader.createStatement()) {
			s.execute("BEGIN");
			try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
				rs.next();
			}
		}
	}

	@Override
	public void close() throws Exception {
		this.tracker.close();
		this.connections.close();
		this.databaseFile.close();
		this.app.close();
	}

}
