package io.github.litestream.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * The engine's handles on one database: its two connections (which hold the read transaction
 * that pins the WAL), its one descriptor on the database file ({@link DatabaseFile}), and the
 * checkpoint lock, which a snapshot holds while it reads that file so that no checkpoint changes
 * it meanwhile. The connections and the descriptor are opened and closed in the order SQLite's
 * POSIX locks demand: the descriptor is closed only after the engine's connections, and not at
 * all while another connection of this JVM may still use the database, since closing it would
 * drop that connection's locks.
 *
 * <p>Not thread-safe but for the checkpoint lock: the database's monitor lock guards it.
 */
final class DatabaseHandles {

	/**
	 * Descriptors kept open after their database closed, because closing them could drop the
	 * locks of SQLite connections of this JVM still on the file, with the path of each. Closed
	 * once that path holds another file or none (a deleted tenant): connections opened since are
	 * on that other file, and the application closes its own before it deletes a database.
	 */
	private static final Map<DatabaseFile, Path> RETAINED_FILES = new ConcurrentHashMap<>();

	private final Path path;

	/** Held while the database file is read for a snapshot: no checkpoint may change it. */
	private final ReentrantLock checkpointLock = new ReentrantLock();

	/** Since when a snapshot holding that lock has kept due checkpoints from running. */
	private final CheckpointHold checkpointHold;

	private EngineConnections connections;

	/** Set when closing found a snapshot still reading: what to close once it has ended. */
	private volatile @Nullable GenerationTracker closeAfterSnapshot;

	/** Notified once that close happened: an open waits for it. */
	private final Object closedAfterSnapshot = new Object();

	private DatabaseFile file;

	DatabaseHandles(Path path, CheckpointHold checkpointHold) {
		this.path = path;
		this.checkpointHold = checkpointHold;
	}

	/**
	 * Checks that the database's directory exists, before anything is created in it.
	 * @param path the database file
	 * @throws NoSuchFileException naming the directory and the fix, if it does not exist
	 */
	static void requireDirectory(Path path) throws NoSuchFileException {
		Path directory = path.getParent();
		if (!Files.isDirectory(directory)) {
			throw new NoSuchFileException(directory.toString(), null, "Cannot replicate " + path
					+ ": its directory does not exist. Create the directory or correct the database path");
		}
	}

	/**
	 * The descriptor on the database file, opened if none is. Never a second one: the first,
	 * no longer referenced, would be closed by the garbage collector, and closing any descriptor
	 * on the file drops every POSIX lock this JVM's SQLite connections hold on it.
	 * @return the descriptor
	 * @throws IOException if the file cannot be opened
	 */
	DatabaseFile openFile() throws IOException {
		if (this.file == null) {
			this.file = DatabaseFile.open(this.path);
		}
		return this.file;
	}

	/**
	 * Opens the engine's connections, which create the database if needed, and then the
	 * descriptor on its file unless one is open.
	 * @param busyTimeout the connections' busy timeout
	 * @return the connections
	 * @throws SQLException if SQLite cannot open the database
	 * @throws IOException if the file cannot be opened
	 */
	EngineConnections openConnections(Duration busyTimeout) throws SQLException, IOException {
		this.connections = EngineConnections.open(this.path, busyTimeout);
		openFile();
		return this.connections;
	}

	/** Whether connections were opened (and not dropped by {@link #closeHalfOpen()}). */
	boolean hasConnections() {
		return this.connections != null;
	}

	EngineConnections connections() {
		return this.connections;
	}

	DatabaseFile file() {
		return this.file;
	}

	ReentrantLock checkpointLock() {
		return this.checkpointLock;
	}

	CheckpointHold checkpointHold() {
		return this.checkpointHold;
	}

	/** See {@link ReplicatedDatabase#checkpointsHeld()}. */
	Optional<CheckpointsHeld> checkpointsHeld() {
		// A skip recorded just as the snapshot released the lock is cleared by the next checkpoint.
		return this.checkpointLock.isLocked() ? this.checkpointHold.current() : Optional.empty();
	}

	/**
	 * Takes the checkpoint lock for closing, waiting a while for a snapshot still reading the file.
	 * @param wait how long; zero not to wait
	 * @return whether the lock was had; the caller releases it
	 */
	boolean awaitSnapshot(Duration wait) {
		try {
			if (wait.isZero() || wait.isNegative()) {
				return this.checkpointLock.tryLock();
			}
			return this.checkpointLock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Half open is not open: releases the read transaction and the connections (the database
	 * file's descriptor stays, as always while this JVM may use the database).
	 */
	void closeHalfOpen() {
		if (this.connections != null) {
			this.connections.close();
			this.connections = null;
		}
	}

	/**
	 * Closes the connections and the shadow WAL, then the database file's descriptor; if the
	 * database's WAL still exists, someone else still has the database open, and the descriptor
	 * is kept until the JVM exits instead.
	 * @param tracker the shadow WAL's owner
	 */
	void close(GenerationTracker tracker) {
		this.connections.close();
		closeQuietly(tracker::close);
		if (Files.exists(tracker.walPath())) {
			RETAINED_FILES.put(this.file, this.path);
		}
		else {
			closeQuietly(this.file);
		}
		// Opened anew if the database is opened again (an engine started after a stop).
		this.file = null;
		closeUnreachableFiles();
	}

	/**
	 * Closes the handles once the snapshot that now reads the file has ended (on its thread),
	 * rather than leaving them open for good: the connections, the shadow WAL and the file's
	 * descriptor of a tenant removed mid-snapshot.
	 * @param tracker the shadow WAL's owner
	 */
	void closeAfterSnapshot(GenerationTracker tracker) {
		this.closeAfterSnapshot = tracker;
		// The snapshot may have ended since closing gave up waiting for it.
		snapshotEnded();
	}

	/** Whether a close waits for a snapshot to end. */
	boolean closing() {
		return this.closeAfterSnapshot != null;
	}

	/**
	 * Waits for a close that waits for a snapshot to end (see {@link #closeAfterSnapshot}).
	 * @param wait how long at most
	 * @return whether no close waits any more
	 */
	boolean awaitClosed(Duration wait) {
		long deadline = System.nanoTime() + wait.toNanos();
		synchronized (this.closedAfterSnapshot) {
			while (closing()) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				try {
					TimeUnit.NANOSECONDS.timedWait(this.closedAfterSnapshot, remaining);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return false;
				}
			}
			return true;
		}
	}

	/** Called by a snapshot once it has released the checkpoint lock. */
	void snapshotEnded() {
		this.checkpointHold.released();
		if (this.closeAfterSnapshot == null || !this.checkpointLock.tryLock()) {
			return;
		}
		try {
			GenerationTracker tracker = this.closeAfterSnapshot;
			if (tracker != null) {
				try {
					close(tracker);
				}
				finally {
					// Only now: open() waits while it is set.
					this.closeAfterSnapshot = null;
					synchronized (this.closedAfterSnapshot) {
						this.closedAfterSnapshot.notifyAll();
					}
				}
			}
		}
		finally {
			this.checkpointLock.unlock();
		}
	}

	/**
	 * Closes the retained descriptors whose path now holds another file or none.
	 * @return how many it closed
	 */
	static int closeUnreachableFiles() {
		int closed = 0;
		for (Map.Entry<DatabaseFile, Path> retained : RETAINED_FILES.entrySet()) {
			if (!isAtQuietly(retained.getKey(), retained.getValue())
					&& RETAINED_FILES.remove(retained.getKey(), retained.getValue())) {
				closeQuietly(retained.getKey());
				closed++;
			}
		}
		return closed;
	}

	private static boolean isAtQuietly(DatabaseFile file, Path path) {
		try {
			return file.isAt(path);
		}
		catch (IOException ex) {
			// Cannot tell: keep it.
			return true;
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

}
