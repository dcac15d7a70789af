package io.github.litestream.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import io.github.litestream.replica.Pos;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replicated database: captures every committed WAL frame into the shadow WAL, checkpoints,
 * and lets replicas read what they have not shipped yet. A façade over the pieces that do the
 * work:
 * <ul>
 * <li>{@link GenerationTracker}: the generation, the shadow WAL and the position; continuity with
 * the previous run and new indexes and generations;</li>
 * <li>{@link CheckpointPolicy}: which checkpoint is due (pure logic);</li>
 * <li>{@link Checkpointer}: the checkpoint procedure, which never lets SQLite restart the WAL
 * behind the engine and never holds up the application for long (its javadoc explains how);</li>
 * <li>{@link CleanShutdown}: the final FULL checkpoint and the record that lets the next start
 * continue the generation;</li>
 * <li>{@link EngineConnections}, {@link DatabaseFile}, {@link LocalState}: the engine's
 * connections, its one descriptor on the database file, its files next to the database.</li>
 * </ul>
 *
 * <h2>Locks</h2>
 * The monitor lock runs one step at a time (sync, checkpoint, validation, close): the pieces
 * above are not thread-safe and rely on it. The checkpoint lock keeps checkpoints out while a
 * snapshot reads the database file; a checkpoint that cannot have it is skipped, so a snapshot
 * never blocks a sync. Replicas read the position and the shadow WAL files without either lock.
 *
 * <p>A little over 400 lines, half of it javadoc of the public API: the façade owns the two
 * locks, and open, sync, checkpoint, snapshot and close are where they are taken.
 */
public final class ReplicatedDatabase implements ReplicationSource, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ReplicatedDatabase.class);

	/**
	 * The longest the engine waits for a SQLite lock (or the busy timeout, if shorter). Waiting
	 * for a lock does not hold up the application, but a checkpoint that cannot have the lock by
	 * then gives up, and a later sync tries again.
	 */
	public static final Duration LOCK_WAIT_BUDGET = Duration.ofMillis(500);

	/**
	 * The longest a checkpoint that is to restart the WAL waits for the write lock and then, while
	 * holding it, for application readers: application commits wait at most this long for
	 * readers, plus the checkpoint's own writes.
	 */
	public static final Duration READERS_WAIT = Duration.ofMillis(50);

	/** Descriptors kept open until the JVM exits, because closing them could drop SQLite's locks. */
	private static final List<DatabaseFile> RETAINED_FILES = new CopyOnWriteArrayList<>();

	private final DatabaseOptions options;

	private final Path path;

	private final LocalState localState;

	private final List<DatabaseListener> listeners = new CopyOnWriteArrayList<>();

	/** Guards the pieces and the connections: one monitor step at a time. */
	private final ReentrantLock lock = new ReentrantLock();

	/** Held while the database file is read for a snapshot: no checkpoint may change it. */
	private final ReentrantLock checkpointLock = new ReentrantLock();

	/** How long closing waits for a snapshot still reading the file. */
	private static final Duration CLOSE_WAIT_FOR_SNAPSHOT = Duration.ofSeconds(5);

	private final CheckpointPolicy policy;

	private final GenerationTracker tracker;

	private final CleanShutdown cleanShutdown;

	private final PendingWal pendingWal;

	private EngineConnections connections;

	private DatabaseFile databaseFile;

	private volatile Checkpointer checkpointer;

	private boolean closed;

	/**
	 * Creates a database that is not open yet.
	 * @param options the options
	 */
	public ReplicatedDatabase(DatabaseOptions options) {
		this(options, Clock.systemUTC());
	}

	/**
	 * Creates a database that is not open yet.
	 * @param options the options
	 * @param clock the clock for checkpoint intervals
	 */
	public ReplicatedDatabase(DatabaseOptions options, Clock clock) {
		this.options = options;
		this.path = options.path().toAbsolutePath().normalize();
		this.localState = new LocalState(this.path);
		this.policy = new CheckpointPolicy(options, clock, System::nanoTime);
		this.tracker = new GenerationTracker(this.path, this.localState, this.listeners, this::indexStarted);
		this.cleanShutdown = new CleanShutdown(this.path, this.localState);
		this.pendingWal = new PendingWal(this.path, this.localState);
	}

	private void indexStarted() {
		this.policy.framesCheckpointed(this.tracker.shadow().frameCount());
		Checkpointer checkpointer = this.checkpointer;
		if (checkpointer != null) {
			checkpointer.indexStarted();
		}
	}

	/**
	 * Opens the engine's connections (creating the database if needed), proves or breaks
	 * continuity with the previous run, and copies the WAL once.
	 * @throws IOException if the database cannot be opened
	 */
	public void open() throws IOException {
		Path directory = this.path.getParent();
		if (!Files.isDirectory(directory)) {
			throw new NoSuchFileException(directory.toString(), null, "Cannot replicate " + this.path
					+ ": its directory does not exist. Create the directory or correct the database path");
		}
		this.lock.lock();
		try {
			if (this.connections != null && !this.closed) {
				// Open already (an engine started again after a stop): a second read transaction
				// on new connections would leak the first, which would pin the WAL for good.
				return;
			}
			this.closed = false;
			Optional<Pos> cleanShutdownPosition = this.cleanShutdown.take(this::openDatabaseFile);
			this.connections = EngineConnections.open(this.path, this.options.busyTimeout());
			if (this.databaseFile == null) {
				openDatabaseFile();
			}
			this.connections.acquireReadLock();
			this.tracker.resume(this.connections, cleanShutdownPosition.orElse(null));
			this.checkpointer = new Checkpointer(this.path.toString(), this.connections, this.tracker, this.policy,
					this.checkpointLock, this.listeners);
			this.policy.checkpointed();
		}
		catch (SQLException ex) {
			closeHalfOpen();
			throw new IOException("Cannot open " + this.path + " for replication: " + ex.getMessage(), ex);
		}
		catch (IOException | RuntimeException ex) {
			closeHalfOpen();
			throw ex;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Half open is not open: releases the read transaction and the connections (the database
	 * file's descriptor stays, as always while this JVM may use the database).
	 */
	private void closeHalfOpen() {
		if (this.connections != null) {
			this.connections.close();
			this.connections = null;
		}
	}

	private DatabaseFile openDatabaseFile() throws IOException {
		this.databaseFile = DatabaseFile.open(this.path);
		return this.databaseFile;
	}

	/**
	 * One monitor step: copies newly committed WAL frames into the shadow WAL and checkpoints
	 * when a threshold is reached.
	 * @return the number of WAL bytes copied
	 * @throws IOException if the WAL cannot be read or the shadow WAL written
	 */
	public long sync() throws IOException {
		long started = System.nanoTime();
		this.lock.lock();
		try {
			requireOpen();
			// A failed checkpoint may have left it released; without it SQLite may restart the WAL.
			this.connections.acquireReadLock();
			this.tracker.ensureWalExists();
			long copied = this.tracker.copyWal();
			this.checkpointer.checkpointIfDue();
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			this.listeners.forEach((listener) -> listener.onSync(took, copied));
			return copied;
		}
		catch (IOException | SQLException | RuntimeException ex) {
			this.listeners.forEach((listener) -> listener.onSyncError(ex));
			throw (ex instanceof IOException io) ? io : new IOException("Sync of " + this.path + " failed: " + ex.getMessage(), ex);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Runs the checkpoint procedure (see {@link Checkpointer}): moves the WAL's pages into the
	 * database file and restarts the WAL, starting the next index, unless a reader pins it.
	 * @param mode PASSIVE (never waits for readers), RESTART or TRUNCATE (wait for them moments,
	 * at most once a second)
	 * @throws IOException if the shadow WAL cannot be written
	 */
	public void checkpoint(CheckpointMode mode) throws IOException {
		this.lock.lock();
		try {
			requireOpen();
			this.checkpointer.checkpoint(mode);
		}
		finally {
			this.lock.unlock();
		}
	}

	private void requireOpen() {
		if (this.connections == null || this.closed) {
			throw new IllegalStateException("Database " + this.path + " is not open for replication");
		}
	}

	@Override
	public Optional<ShadowWalSegment> pendingWal(Pos from) throws IOException {
		return this.pendingWal.after(from, this.tracker.position());
	}

	@Override
	public <T> T snapshot(SnapshotConsumer<T> consumer) throws IOException {
		this.checkpointLock.lock();
		try {
			Pos pos = this.tracker.position();
			if (pos == null || this.closed) {
				throw new IOException("Database " + this.path + " is not open for replication");
			}
			try (InputStream in = this.databaseFile.newInputStream()) {
				return consumer.accept(pos, in);
			}
		}
		finally {
			this.checkpointLock.unlock();
		}
	}

	/**
	 * Whether size-based checkpoints could not restart the current WAL index because a read
	 * transaction (of the application or another process) pins it. The WAL grows until that
	 * transaction ends; every sync tries again.
	 * @return the pinned WAL, or empty when the last attempt on this index restarted it or none
	 * failed
	 */
	public Optional<PinnedWal> pinnedWal() {
		Checkpointer checkpointer = this.checkpointer;
		return (checkpointer != null) ? checkpointer.pinnedWal(this.tracker.position()) : Optional.empty();
	}

	@Override
	public DatabaseChecksum checksumAtNewIndex() throws IOException {
		this.lock.lock();
		try {
			requireOpen();
			Pos before = this.tracker.currentPosition();
			this.checkpointer.checkpoint(CheckpointMode.RESTART);
			Pos after = this.tracker.currentPosition();
			if (!after.generation().equals(before.generation()) || after.index() != before.index() + 1) {
				throw new IOException("Could not start a new WAL index of " + this.path
						+ " for validation (the database was busy); will try again");
			}
			// Every engine checkpoint runs under the monitor lock held here, so the file cannot
			// change meanwhile; a snapshot reading it at the same time does not change it either
			// (waiting for the snapshot's lock would stall the monitor for its whole upload).
			return new DatabaseChecksum(new Pos(after.generation(), after.index(), 0), this.databaseFile.checksum());
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Deletes local shadow WAL files that every replica has shipped.
	 * @param index the lowest index any replica still needs
	 * @throws IOException if files cannot be deleted
	 */
	public void removeShadowWalBefore(long index) throws IOException {
		Pos current = this.tracker.position();
		if (current != null) {
			this.localState.removeShadowWalsBefore(current.generation(), Math.min(index, current.index()));
		}
	}

	/**
	 * The bytes of shadow WAL kept on disk for replicas that have not shipped them yet.
	 * @return the total size of the current generation's shadow WAL files, 0 before opening
	 * @throws IOException if the directory cannot be read
	 */
	public long shadowWalSize() throws IOException {
		Pos current = this.tracker.position();
		return (current != null) ? this.localState.shadowWalSize(current.generation()) : 0;
	}

	/**
	 * Closes the engine's connections. Call it after a final {@link #sync()} and after the
	 * application's own connections are closed: then a final FULL checkpoint proves that the
	 * database file holds exactly the shadow WAL's end state, which lets the next start continue
	 * this generation.
	 */
	@Override
	public void close() {
		this.lock.lock();
		try {
			if (this.closed || this.connections == null) {
				return;
			}
			this.closed = true;
			if (!awaitSnapshots()) {
				// The final checkpoint, and SQLite's own when the last connection closes, would
				// change the file under the snapshot, which would then mix two moments. Leave the
				// connections open instead: the JVM is shutting down.
				logger.warn("Closing replication of {} while a snapshot still reads it; the engine's connections "
						+ "stay open so that the snapshot stays consistent", this.path);
				return;
			}
			try {
				this.cleanShutdown.record(this.tracker, this.connections, this.databaseFile);
				this.connections.close();
				closeQuietly(this.tracker::close);
				if (Files.exists(this.tracker.walPath())) {
					// Someone else still has the database open: closing our descriptor could drop
					// their locks, so keep it until the JVM exits.
					RETAINED_FILES.add(this.databaseFile);
				}
				else {
					closeQuietly(this.databaseFile);
				}
			}
			finally {
				this.checkpointLock.unlock();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Takes the checkpoint lock, which a snapshot holds while it reads the file. */
	private boolean awaitSnapshots() {
		try {
			return this.checkpointLock.tryLock(CLOSE_WAIT_FOR_SNAPSHOT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		if (closeable != null) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				// Nothing useful to do while closing.
			}
		}
	}

	/**
	 * Adds a listener.
	 * @param listener the listener
	 */
	public void addListener(DatabaseListener listener) {
		this.listeners.add(listener);
	}

	@Override
	public Optional<Pos> position() {
		return Optional.ofNullable(this.tracker.position());
	}

	@Override
	public Path path() {
		return this.path;
	}

	/**
	 * The options.
	 * @return the options
	 */
	public DatabaseOptions options() {
		return this.options;
	}

	/**
	 * When the engine last checkpointed.
	 * @return the time, or {@code null} before opening
	 */
	public Instant lastCheckpointAt() {
		return this.policy.lastCheckpointAt();
	}

	/**
	 * The size of the database file.
	 * @return bytes, or 0 if it does not exist
	 */
	public long size() {
		return sizeOf(this.path);
	}

	/**
	 * The size of the real WAL.
	 * @return bytes, or 0 if it does not exist
	 */
	public long walSize() {
		return sizeOf(this.tracker.walPath());
	}

	private static long sizeOf(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			return 0;
		}
	}

}
