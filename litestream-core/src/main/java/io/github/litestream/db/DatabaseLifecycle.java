package io.github.litestream.db;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import io.github.litestream.replica.Pos;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens and closes the engine's hold on one {@link ReplicatedDatabase}, under its monitor lock:
 * the connections and the read transaction, continuity with the previous run through the
 * clean-shutdown record, the {@link Checkpointer} that exists while the database is open, and
 * the final checkpoint at close. The database's other steps ask it whether it is open.
 */
final class DatabaseLifecycle {

	// The database's category, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(ReplicatedDatabase.class);

	private final Path path;

	private final Duration busyTimeout;

	private final ReentrantLock lock;

	private final DatabaseHandles handles;

	private final GenerationTracker tracker;

	private final CheckpointPolicy policy;

	private final CleanShutdown cleanShutdown;

	private final List<DatabaseListener> listeners;

	private volatile Checkpointer checkpointer;

	/** Set under the monitor lock; read by snapshots too, under the checkpoint lock. */
	private volatile boolean closed;

	DatabaseLifecycle(Path path, Duration busyTimeout, ReentrantLock lock, DatabaseHandles handles,
			GenerationTracker tracker, CheckpointPolicy policy, LocalState localState,
			List<DatabaseListener> listeners) {
		this.path = path;
		this.busyTimeout = busyTimeout;
		this.lock = lock;
		this.handles = handles;
		this.tracker = tracker;
		this.policy = policy;
		this.cleanShutdown = new CleanShutdown(path, localState);
		this.listeners = listeners;
	}

	/** See {@link ReplicatedDatabase#open(Duration)}. */
	void open(Duration closeWait) throws IOException {
		DatabaseHandles.requireDirectory(this.path);
		FollowerCopyMark.requireNone(this.path, "replicate");
		if (this.handles.closing()) {
			// Outside the monitor lock: nothing the snapshot's end needs is held meanwhile.
			logger.info("Waiting up to {} for a snapshot upload of the previous run, which still reads {}, to end "
					+ "before opening it again", closeWait, this.path);
			this.handles.awaitClosed(closeWait);
		}
		this.lock.lock();
		try {
			// The connections are that close's: a failed open must leave them to it.
			requireNotClosing(closeWait);
			if (this.handles.hasConnections() && !this.closed) {
				// Open already (an engine started again after a stop): a second read transaction
				// on new connections would leak the first, which would pin the WAL for good.
				return;
			}
			openLocked();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** See {@link ReplicatedDatabase#awaitPreviousClose(Duration)}. */
	boolean awaitPreviousClose(Duration wait) {
		return this.handles.awaitClosed(wait);
	}

	/** See {@link ReplicatedDatabase#requireNotClosing(Duration)}. */
	void requireNotClosing(Duration waited) throws IOException {
		if (this.handles.closing()) {
			throw new IOException("Cannot open " + this.path + " for replication yet: a snapshot upload of the "
					+ "previous run (closed while the upload still read the file) still reads it after " + waited
					+ ". It ends when the replica's store answers the upload; start again later, and if this "
					+ "repeats, check why that store does not answer");
		}
	}

	/** Whether a close waits for a snapshot that still reads the file. */
	boolean closingAfterSnapshot() {
		return this.handles.closing();
	}

	private void openLocked() throws IOException {
		try {
			this.closed = false;
			EngineConnections connections = this.handles.openConnections(this.busyTimeout);
			// The record is checked under the read transaction: from then on no connection can both
			// move new frames into the database file and restart the WAL over them, so a file that
			// matches the record still matches it when the next index copies the WAL.
			connections.acquireReadLock();
			Optional<Pos> cleanShutdownPosition = this.cleanShutdown.take(this.handles::openFile);
			this.tracker.resume(connections, cleanShutdownPosition.orElse(null));
			this.checkpointer = new Checkpointer(this.path.toString(), connections, this.tracker, this.policy,
					this.handles.checkpointLock(), this.handles.checkpointHold(), this.handles.file(), this.listeners);
			this.checkpointer.fenceAtOpen();
			this.policy.checkpointed();
		}
		catch (SQLException ex) {
			this.handles.closeHalfOpen();
			throw new IOException("Cannot open " + this.path + " for replication: " + ex.getMessage(), ex);
		}
		catch (IOException | RuntimeException ex) {
			this.handles.closeHalfOpen();
			throw ex;
		}
	}

	/** See {@link ReplicatedDatabase#close(Duration)}. */
	void close(Duration snapshotWait) {
		this.lock.lock();
		try {
			if (this.closed || !this.handles.hasConnections()) {
				return;
			}
			this.closed = true;
			if (!this.handles.awaitSnapshot(snapshotWait)) {
				// The final checkpoint, and SQLite's own when the last connection closes, would
				// change the file under the snapshot, which would then mix two moments. Close when
				// it ends instead, without the clean-shutdown record: by then the path may be
				// replicated anew, and the record's directory would be that one's.
				logger.warn("Closing replication of {} while a snapshot still reads it; the engine's connections "
						+ "close when it ends, so that the snapshot stays consistent", this.path);
				this.handles.closeAfterSnapshot(this.tracker);
				return;
			}
			try {
				this.cleanShutdown.record(this.tracker, this.handles.connections(), this.handles.file());
				this.handles.close(this.tracker);
			}
			finally {
				this.handles.checkpointLock().unlock();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	boolean closed() {
		return this.closed;
	}

	void requireOpen() {
		if (!this.handles.hasConnections() || this.closed) {
			throw new IllegalStateException("Database " + this.path + " is not open for replication");
		}
	}

	/** The checkpointer, for a step that needs the database open. */
	Checkpointer openCheckpointer() {
		requireOpen();
		return this.checkpointer;
	}

	/**
	 * Forgets what was known of the previous index's checkpoints: a new shadow WAL (index or
	 * generation) began.
	 */
	void indexStarted() {
		this.policy.framesCheckpointed(this.tracker.shadow().frameCount());
		Checkpointer checkpointer = this.checkpointer;
		if (checkpointer != null) {
			checkpointer.indexStarted();
		}
	}

	/** See {@link ReplicatedDatabase#pinnedWal()}. */
	Optional<PinnedWal> pinnedWal() {
		Checkpointer checkpointer = this.checkpointer;
		return (checkpointer != null) ? checkpointer.pinnedWal(this.tracker.position()) : Optional.empty();
	}

	/** The checkpointer, or {@code null} before the first open. */
	Checkpointer checkpointer() {
		return this.checkpointer;
	}

}
