package io.github.litestream.db;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.github.litestream.replica.Pos;
import org.jspecify.annotations.Nullable;

/**
 * The steps of a {@link ReplicatedDatabase} that run under its monitor lock, one at a time. The
 * monitor's step copies what is committed ({@link WalCapture}), runs the checkpoint that is due,
 * and tells the listeners how it went. It also keeps whether those steps fail, as a
 * {@link SyncFailure}: while they do, new commits reach no replica although every replica may
 * look caught up, so a run of failures keeps the time of its first one until a step succeeds.
 * The other two are asked for outside the schedule, and neither tells the listeners nor counts
 * as a monitor step: a copy alone for an application thread, and a checkpoint.
 */
final class MonitorStep {

	private final Path path;

	/** The database's monitor lock. */
	private final ReentrantLock lock;

	private final WalCapture walCapture;

	private final DatabaseLifecycle lifecycle;

	private final List<DatabaseListener> listeners;

	private final Clock clock;

	/** Set by a failing step, cleared by one that succeeds. */
	private volatile @Nullable SyncFailure failure;

	MonitorStep(Path path, ReentrantLock lock, WalCapture walCapture, DatabaseLifecycle lifecycle,
			List<DatabaseListener> listeners, Clock clock) {
		this.path = path;
		this.lock = lock;
		this.walCapture = walCapture;
		this.lifecycle = lifecycle;
		this.listeners = listeners;
		this.clock = clock;
	}

	/** See {@link ReplicatedDatabase#sync()}. */
	long run() throws IOException {
		long started = System.nanoTime();
		this.lock.lock();
		try {
			long copied = this.walCapture.copy();
			this.lifecycle.checkpointer().checkpointIfDue();
			this.failure = null;
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			this.listeners.forEach((listener) -> listener.onSync(took, copied));
			return copied;
		}
		catch (IOException | SQLException | RuntimeException ex) {
			SyncFailure failing = this.failure;
			this.failure = new SyncFailure((failing != null) ? failing.since() : this.clock.instant(),
					String.valueOf(ex.getMessage()));
			this.listeners.forEach((listener) -> listener.onSyncError(ex));
			throw (ex instanceof IOException io) ? io : new IOException("Sync of " + this.path + " failed: " + ex.getMessage(), ex);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * See {@link ReplicatedDatabase#copyCommitted()}.
	 * @param position the database's position, read under the lock: what this copy reached, not
	 * what a monitor step after it (perhaps in a new generation) did
	 */
	Optional<Pos> copyCommitted(Supplier<Optional<Pos>> position) throws IOException {
		this.lock.lock();
		try {
			this.walCapture.copy();
			return position.get();
		}
		catch (SQLException ex) {
			throw new IOException("Copying the WAL of " + this.path + " failed: " + ex.getMessage(), ex);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** See {@link ReplicatedDatabase#checkpoint(CheckpointMode)}. */
	void checkpoint(CheckpointMode mode) throws IOException {
		this.lock.lock();
		try {
			this.lifecycle.openCheckpointer().checkpoint(mode);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** See {@link ReplicatedDatabase#syncFailure()}. */
	@Nullable SyncFailure failure() {
		return this.failure;
	}

}
