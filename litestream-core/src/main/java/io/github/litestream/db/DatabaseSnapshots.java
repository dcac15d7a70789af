package io.github.litestream.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.github.litestream.db.ReplicationSource.DatabaseChecksum;
import io.github.litestream.db.ReplicationSource.SnapshotConsumer;
import io.github.litestream.replica.Pos;

/**
 * The database file as replicas read it: snapshots, and the new WAL indexes that snapshots and
 * validation start. A snapshot holds the checkpoint lock while it streams the file, so no
 * checkpoint changes the file under it; starting an index is a checkpoint, a monitor step
 * under the monitor lock.
 */
final class DatabaseSnapshots {

	/**
	 * How long a catch-up snapshot waits for a monitor step: less than close() waits for it by
	 * default. A close that waits less gives up first and closes once the snapshot has ended.
	 */
	private static final Duration CATCH_UP_LOCK_WAIT = Duration.ofSeconds(2);

	/** How often a snapshot that waits for a checkpoint checks whether a snapshot holds the lock. */
	private static final Duration BUSY_POLL = Duration.ofMillis(100);

	/**
	 * Whether a snapshot (rather than a checkpoint or close) holds the checkpoint lock: set and
	 * cleared by its holder.
	 */
	private volatile boolean snapshotReading;

	private final Path path;

	private final ReentrantLock monitorLock;

	private final DatabaseHandles handles;

	private final GenerationTracker tracker;

	/** The checkpointer, or an {@link IllegalStateException} when the database is not open. */
	private final Supplier<Checkpointer> openCheckpointer;

	private final BooleanSupplier closed;

	DatabaseSnapshots(Path path, ReentrantLock monitorLock, DatabaseHandles handles, GenerationTracker tracker,
			Supplier<Checkpointer> openCheckpointer, BooleanSupplier closed) {
		this.path = path;
		this.monitorLock = monitorLock;
		this.handles = handles;
		this.tracker = tracker;
		this.openCheckpointer = openCheckpointer;
		this.closed = closed;
	}

	/** See {@link ReplicationSource#snapshot}. */
	<T> T snapshot(SnapshotConsumer<T> consumer) throws IOException {
		this.handles.checkpointLock().lock();
		return readLocked(consumer);
	}

	/** See {@link ReplicationSource#snapshotUnlessBusy}. */
	<T> Optional<T> snapshotUnlessBusy(SnapshotConsumer<T> consumer) throws IOException {
		// A checkpoint ends within moments, as snapshot() waits for it; another snapshot's
		// upload may take minutes.
		while (!tryLock(this.handles.checkpointLock(), BUSY_POLL)) {
			if (this.snapshotReading || Thread.currentThread().isInterrupted()) {
				return Optional.empty();
			}
		}
		return Optional.of(readLocked(consumer));
	}

	/** Streams the file to the consumer and releases the checkpoint lock the caller took. */
	private <T> T readLocked(SnapshotConsumer<T> consumer) throws IOException {
		this.snapshotReading = true;
		try {
			Pos pos = this.tracker.position();
			if (pos == null || this.closed.getAsBoolean()) {
				throw new IOException("Database " + this.path + " is not open for replication");
			}
			try (InputStream in = this.handles.file().newInputStream()) {
				return consumer.accept(pos, in);
			}
		}
		finally {
			this.snapshotReading = false;
			this.handles.checkpointLock().unlock();
			this.handles.snapshotEnded();
		}
	}

	/** See {@link ReplicationSource#snapshotAtNewIndex}. */
	<T> T snapshotAtNewIndex(SnapshotConsumer<T> consumer) throws IOException {
		// The snapshot's lock first, as snapshot() takes it: the monitor only ever tries it, and
		// close(), which holds the monitor lock while it waits for the snapshot's, must not wait
		// for this one.
		this.handles.checkpointLock().lock();
		try {
			Pos start;
			if (!tryMonitorLock(CATCH_UP_LOCK_WAIT)) {
				throw new IOException("Could not start a new WAL index of " + this.path
						+ " for a catch-up snapshot: the engine is closing the database or busy with a long step");
			}
			try {
				Pos after = this.openCheckpointer.get().startNewIndex("a catch-up snapshot");
				start = new Pos(after.generation(), after.index(), 0);
			}
			finally {
				this.monitorLock.unlock();
			}
			this.snapshotReading = true;
			try (InputStream in = this.handles.file().newInputStream()) {
				return consumer.accept(start, in);
			}
		}
		finally {
			this.snapshotReading = false;
			this.handles.checkpointLock().unlock();
			this.handles.snapshotEnded();
		}
	}

	/** See {@link ReplicationSource#checksumAtNewIndex}. */
	DatabaseChecksum checksumAtNewIndex() throws IOException {
		this.monitorLock.lock();
		try {
			return this.openCheckpointer.get().checksumAtNewIndex(this.handles.file());
		}
		finally {
			this.monitorLock.unlock();
		}
	}

	/** See {@link ReplicationSource#startNewIndex}. */
	void startNewIndex() throws IOException {
		this.monitorLock.lock();
		try {
			this.openCheckpointer.get().startNewIndex("a snapshot");
		}
		finally {
			this.monitorLock.unlock();
		}
	}

	private boolean tryMonitorLock(Duration wait) {
		return tryLock(this.monitorLock, wait);
	}

	private static boolean tryLock(ReentrantLock lock, Duration wait) {
		try {
			return lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
