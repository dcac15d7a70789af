package io.github.litestream.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.github.litestream.sqlite.PromptBusyHandler;
import org.sqlite.BusyHandler;

/**
 * The engine's two SQLite connections to one database.
 *
 * <p>The <em>reader</em> holds a long-running read transaction. While it is open SQLite cannot
 * restart or truncate the WAL, so nobody can overwrite frames the engine has not copied yet.
 * The <em>writer</em> issues checkpoints, the small writes that force a WAL to exist or to
 * restart, and takes the write lock around the end of an index. Litestream's bookkeeping
 * tables are used, so a database moves between the sidecar and this engine unchanged.
 */
final class EngineConnections implements AutoCloseable {

	static final String SEQ_TABLE = "CREATE TABLE IF NOT EXISTS _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER)";

	static final String LOCK_TABLE = "CREATE TABLE IF NOT EXISTS _litestream_lock (id INTEGER)";

	private static final String BUMP_SEQ = "INSERT INTO _litestream_seq (id, seq) VALUES (1, 1) "
			+ "ON CONFLICT (id) DO UPDATE SET seq = seq + 1";

	private final Connection reader;

	private final Connection writer;

	private final PromptBusyHandler writerBusyHandler;

	private final Duration writerLockWait;

	private final Duration busyTimeout;

	private boolean readLockHeld;

	/** Counts the read transactions begun, so that a proof can name the one it relies on. */
	private long readLockEpoch;

	private EngineConnections(Connection reader, Connection writer, PromptBusyHandler writerBusyHandler,
			Duration writerLockWait, Duration busyTimeout) {
		this.reader = reader;
		this.writer = writer;
		this.writerBusyHandler = writerBusyHandler;
		this.writerLockWait = writerLockWait;
		this.busyTimeout = busyTimeout;
	}

	/**
	 * Opens both connections, switches the database to WAL mode with automatic checkpoints
	 * off, and creates the bookkeeping tables.
	 * @param path the database file
	 * @param busyTimeout how long to wait for locks; once open, the writer waits at most
	 * {@link ReplicatedDatabase#LOCK_WAIT_BUDGET}
	 * @return the connections, without the read lock
	 * @throws SQLException if the database cannot be opened or put into WAL mode
	 */
	static EngineConnections open(Path path, Duration busyTimeout) throws SQLException {
		String url = "jdbc:sqlite:" + path.toAbsolutePath();
		Connection writer = DriverManager.getConnection(url);
		Connection reader = null;
		try {
			configure(writer, busyTimeout);
			// The writer takes the write lock between the application's transactions.
			PromptBusyHandler busyHandler = PromptBusyHandler.forEngine(busyTimeout);
			BusyHandler.setHandler(writer, busyHandler);
			try (Statement statement = writer.createStatement()) {
				statement.execute(SEQ_TABLE);
				statement.execute(LOCK_TABLE);
			}
			// From now on a checkpoint that cannot have a lock soon gives up and the next sync
			// tries again (only opening, above, may wait out a long migration).
			Duration lockWait = shorter(busyTimeout, ReplicatedDatabase.LOCK_WAIT_BUDGET);
			busyHandler.setTimeout(lockWait);
			reader = DriverManager.getConnection(url);
			configure(reader, busyTimeout);
			return new EngineConnections(reader, writer, busyHandler, lockWait, busyTimeout);
		}
		catch (SQLException | RuntimeException ex) {
			closeQuietly(reader);
			closeQuietly(writer);
			throw ex;
		}
	}

	private static Duration shorter(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	private static void configure(Connection connection, Duration busyTimeout) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute("PRAGMA busy_timeout = " + busyTimeout.toMillis());
			try (ResultSet mode = statement.executeQuery("PRAGMA journal_mode = WAL")) {
				String journalMode = mode.next() ? mode.getString(1) : null;
				if (!"wal".equalsIgnoreCase(journalMode)) {
					throw new SQLException("Could not switch the database to WAL mode (journal_mode is " + journalMode
							+ "); is another process holding it in exclusive locking mode?");
				}
			}
			statement.execute("PRAGMA wal_autocheckpoint = 0");
		}
	}

	/**
	 * Begins the long-running read transaction, if not already held.
	 * @throws SQLException if it cannot begin
	 */
	void acquireReadLock() throws SQLException {
		if (this.readLockHeld) {
			return;
		}
		try (Statement statement = this.reader.createStatement()) {
			statement.execute("BEGIN");
			try (ResultSet rs = statement.executeQuery("SELECT COUNT(1) FROM _litestream_seq")) {
				rs.next();
			}
			catch (SQLException ex) {
				// Otherwise the connection stays inside a transaction that every later BEGIN trips on.
				try {
					statement.execute("ROLLBACK");
				}
				catch (SQLException rollback) {
					ex.addSuppressed(rollback);
				}
				throw ex;
			}
		}
		this.readLockHeld = true;
		this.readLockEpoch++;
	}

	/**
	 * The read transaction held now.
	 * @return a number that changes whenever a read transaction begins, or -1 if none is held
	 */
	long readLockEpoch() {
		return this.readLockHeld ? this.readLockEpoch : -1;
	}

	/**
	 * Ends the read transaction, if held, and begins it again, at the WAL's current end.
	 * @throws SQLException if it cannot end or begin
	 */
	void renewReadLock() throws SQLException {
		releaseReadLock();
		acquireReadLock();
	}

	/**
	 * Ends the read transaction, if held.
	 * @throws SQLException if it cannot end
	 */
	void releaseReadLock() throws SQLException {
		if (!this.readLockHeld) {
			return;
		}
		this.readLockHeld = false;
		try (Statement statement = this.reader.createStatement()) {
			statement.execute("ROLLBACK");
		}
	}

	/**
	 * Writes one row so that the WAL gets a frame: creates a missing WAL, or restarts a fully
	 * checkpointed one.
	 * @throws SQLException if the write fails
	 */
	void bumpSequence() throws SQLException {
		try (Statement statement = this.writer.createStatement()) {
			statement.execute(BUMP_SEQ);
		}
	}

	/**
	 * Runs a checkpoint on the writer connection.
	 * @param mode PASSIVE, FULL, RESTART or TRUNCATE
	 * @return SQLite's answer: busy flag, frames in the WAL, frames checkpointed
	 * @throws SQLException if the checkpoint fails
	 */
	CheckpointResult checkpoint(CheckpointMode mode) throws SQLException {
		try (Statement statement = this.writer.createStatement();
				ResultSet rs = statement.executeQuery("PRAGMA wal_checkpoint(" + mode.name() + ")")) {
			rs.next();
			return new CheckpointResult(rs.getInt(1) != 0, rs.getInt(2), rs.getInt(3));
		}
	}

	/**
	 * Runs a checkpoint on the writer connection that waits for locks at most {@code wait}, in
	 * all: RESTART, FULL and TRUNCATE take the write lock and then wait for readers while
	 * holding it, so every application writer waits as long.
	 * @param mode FULL, RESTART or TRUNCATE
	 * @param wait the longest it may wait (at most the writer's usual lock wait)
	 * @return SQLite's answer; busy if the lock or the readers did not come in time
	 * @throws SQLException if the checkpoint fails
	 */
	CheckpointResult checkpoint(CheckpointMode mode, Duration wait) throws SQLException {
		this.writerBusyHandler.setTimeout(shorter(wait, this.writerLockWait));
		try {
			return checkpoint(mode);
		}
		finally {
			this.writerBusyHandler.setTimeout(this.writerLockWait);
		}
	}

	/**
	 * Runs a checkpoint on the reader connection (which must not be in a transaction), so that
	 * it can run while the writer connection holds the write lock.
	 * @param mode PASSIVE (other modes would wait for the writer lock the writer holds)
	 * @return SQLite's answer
	 * @throws SQLException if the checkpoint fails
	 */
	CheckpointResult checkpointOnReader(CheckpointMode mode) throws SQLException {
		if (this.readLockHeld) {
			throw new IllegalStateException("The read transaction must be released before a checkpoint");
		}
		try (Statement statement = this.reader.createStatement();
				ResultSet rs = statement.executeQuery("PRAGMA wal_checkpoint(" + mode.name() + ")")) {
			rs.next();
			return new CheckpointResult(rs.getInt(1) != 0, rs.getInt(2), rs.getInt(3));
		}
	}

	/**
	 * Takes the database's write lock on the writer connection; nobody else can write until
	 * {@link #endWrite(boolean)}.
	 * @throws SQLException if the lock cannot be had within the engine's lock wait budget
	 */
	void beginWrite() throws SQLException {
		try (Statement statement = this.writer.createStatement()) {
			statement.execute("BEGIN IMMEDIATE");
		}
	}

	/**
	 * Takes the write lock like {@link #beginWrite()}, but waits for it up to the busy timeout
	 * rather than the engine's short budget: for the one step that must not give up, since
	 * waiting for the lock holds up no application write.
	 * @throws SQLException if the lock cannot be had within the busy timeout
	 */
	void beginWriteWaitingLonger() throws SQLException {
		this.writerBusyHandler.setTimeout(this.busyTimeout);
		try {
			beginWrite();
		}
		finally {
			this.writerBusyHandler.setTimeout(this.writerLockWait);
		}
	}

	/**
	 * Ends the write transaction begun by {@link #beginWrite()}.
	 * @param commit whether to commit (otherwise roll back)
	 * @throws SQLException if it cannot end
	 */
	void endWrite(boolean commit) throws SQLException {
		try (Statement statement = this.writer.createStatement()) {
			statement.execute(commit ? "COMMIT" : "ROLLBACK");
		}
	}

	/**
	 * Bumps the sequence inside the write transaction begun by {@link #beginWrite()}.
	 * @throws SQLException if the write fails
	 */
	void bumpSequenceInTransaction() throws SQLException {
		bumpSequence();
	}

	/**
	 * The page size of the database.
	 * @return the page size in bytes
	 * @throws SQLException if it cannot be read
	 */
	int pageSize() throws SQLException {
		try (Statement statement = this.writer.createStatement();
				ResultSet rs = statement.executeQuery("PRAGMA page_size")) {
			rs.next();
			return rs.getInt(1);
		}
	}

	/**
	 * The writer connection, for reads that must see the latest committed state.
	 * @return the connection
	 */
	Connection writer() {
		return this.writer;
	}

	@Override
	public void close() {
		try {
			releaseReadLock();
		}
		catch (SQLException ex) {
			// Closing the connection ends the transaction anyway.
		}
		closeQuietly(this.reader);
		closeQuietly(this.writer);
	}

	private static void closeQuietly(Connection connection) {
		if (connection != null) {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				// Nothing useful to do while closing.
			}
		}
	}

	/**
	 * SQLite's answer to {@code PRAGMA wal_checkpoint}.
	 *
	 * @param busy whether the checkpoint could not finish because of readers or writers
	 * @param walFrames frames in the WAL
	 * @param checkpointedFrames frames copied back into the database
	 */
	record CheckpointResult(boolean busy, int walFrames, int checkpointedFrames) {

		boolean complete() {
			return !this.busy && this.walFrames >= 0 && this.walFrames == this.checkpointedFrames;
		}

	}

}
