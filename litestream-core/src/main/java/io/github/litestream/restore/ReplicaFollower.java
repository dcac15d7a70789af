package io.github.litestream.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.github.litestream.db.FollowerCopyMark;
import io.github.litestream.db.GenerationContinuation;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.sqlite.SqliteFiles;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A continuous restore: restores the latest state of a replica into a local database file,
 * then keeps applying the WAL segments of the same generation as they appear, so that the file
 * stays a recent committed state of the primary's history. A standby builds on it: when it
 * stops, the engine started on the file continues the same generation from the followed
 * position, with no snapshot (see {@link #stop(Duration)}).
 *
 * <h2>What a reader sees</h2>
 * Segments are applied whole, in order, each one fetched and checked before any of its pages
 * is written, so between two applications the file is exactly one committed state. While a
 * segment is applied, pages are written in place: a reader at that moment would see a torn
 * file. So the file belongs to the follower until it stops: nothing may open it with SQLite
 * meanwhile (the follower also opens and closes its own descriptors on it, which would drop the
 * POSIX locks of a SQLite connection in the same process). {@link #read} runs code while no
 * segment is being applied, to copy the file or open it with {@code immutable=1}, for instance.
 * After a crash in the middle of an application the file is not to be trusted, and the
 * follower refuses to start on an existing file.
 *
 * <h2>What it handles</h2>
 * A new generation in the replica (the newest one by its newest object, as a restore would
 * choose) and a gap in the WAL it needs (segments that retention deleted before they were
 * applied, or a missing segment) make it restore the latest state again, into a temporary file
 * that replaces the database atomically. A failing replica is retried with a backoff that
 * doubles from the poll interval up to a maximum; {@link #status()} tells how far behind it is.
 * A replica without any backup yet is waited for, without an error.
 *
 * <p>One daemon thread per follower; {@link #wakeUp()} makes it poll at once (when the primary
 * is known to have written, say). From {@link #start()} until {@link #stop(Duration)} it holds
 * the file's {@link RestoreLock}, the one restores take: a restore (the CLI's, restore-on-boot)
 * or another follower of the same file, in this process or another, fails at once instead of
 * removing the follower's files as a killed restore's leftovers.
 */
public final class ReplicaFollower implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ReplicaFollower.class);

	private final ReplicaClient client;

	private final Path database;

	private final FollowerOptions options;

	private final Clock clock;

	/** The follower's thread, and when it polls. */
	private final PollLoop loop;

	/** The database file and the WAL being applied; the follower's thread's until it ended. */
	private final FollowedCopy copy;

	/** Held from start until the follower stopped; {@code null} before and after. */
	private RestoreLock lock;

	private volatile FollowerStatus status = new FollowerStatus(null, 0, 0, null, null, null, null, null, 0,
			false);

	/**
	 * Creates a follower.
	 * @param client the replica to follow
	 * @param database the local database file to build; must not exist
	 * @param options how to poll
	 */
	public ReplicaFollower(ReplicaClient client, Path database, FollowerOptions options) {
		this(client, database, options, Clock.systemUTC());
	}

	/**
	 * Creates a follower.
	 * @param client the replica to follow
	 * @param database the local database file to build; must not exist
	 * @param options how to poll
	 * @param clock the clock for the status
	 */
	public ReplicaFollower(ReplicaClient client, Path database, FollowerOptions options, Clock clock) {
		this.client = client;
		this.database = database.toAbsolutePath().normalize();
		this.options = options;
		this.clock = clock;
		this.loop = new PollLoop(options);
		this.copy = new FollowedCopy(client, this.database);
	}

	/**
	 * Starts following on a daemon thread.
	 * @throws RestoreException if the database file exists already, or a restore or another
	 * follower of it runs
	 * @throws IOException if the lock beside the file cannot be created
	 */
	public synchronized void start() throws IOException {
		if (this.loop.started()) {
			throw new IllegalStateException("A follower starts once");
		}
		Files.createDirectories(this.database.getParent());
		// The same file as a restore to this path locks: through a link, its target.
		RestoreLock held = RestoreLock.acquire(SqliteFiles.resolved(this.database), RestoreLock.Kind.FOLLOWER);
		try {
			if (Files.exists(this.database)) {
				Optional<String> follower = FollowerCopyMark.writer(this.database);
				throw new RestoreException("Cannot follow " + this.client.location() + " into " + this.database
						+ ": the file exists; a follower builds its database from the replica " + follower
							.map((writer) -> "(it is the copy of " + writer + " that was not handed over and may be torn: "
									+ "delete it with its -wal and -shm files and " + FollowerCopyMark.of(this.database) + ")")
							.orElse("(delete the file, or start replication on it instead)"));
			}
			LeftoverRestoreFiles.removeHolding(this.database);
			this.loop.start("litestream-follower-" + this.database.getFileName(), this::poll, this::failed,
					this::ended);
		}
		catch (IOException | RuntimeException ex) {
			held.close();
			throw ex;
		}
		this.lock = held;
	}

	private void failed(Exception ex, int inARow, Duration wait) {
		this.status = this.status.failed(String.valueOf(ex.getMessage()), this.clock.instant());
		logger.warn("Following {} into {} failed ({} in a row, next attempt in {} ms): {}", this.client.location(),
				this.database, inARow, wait.toMillis(), ex.getMessage());
	}

	/**
	 * The thread ended without {@link #stop(Duration)}, or on an error (even during a stop, as it
	 * may have cut an application short): nothing is applied any more, so the file's lock is let
	 * go of at once (a restore or a new follower of the file may run, and removes the files left
	 * here as a killed follower's), and the status says the follower stopped. The file is not
	 * handed over: {@link #stop(Duration)} then fails. The error is reported here only, once.
	 */
	private void ended(@Nullable Error fatal) {
		String why = (fatal != null) ? "it failed with " + fatal : "its thread was interrupted";
		this.status = this.status.stopped("Stopped following " + this.client.location() + ": " + why,
				this.clock.instant());
		releaseLock();
		logger.error("The follower of {} into {} stopped: {}", this.client.location(), this.database, why, fatal);
	}

	/**
	 * One round: restore if needed, then apply every new segment of the generation.
	 * @return whether everything listed was applied (or the replica holds no backup yet);
	 * {@code false} after a restore, which may have left newer segments for the next round
	 */
	private boolean poll() throws IOException {
		if (this.copy.restoreReason() != null) {
			boolean noBackup = !restore(this.copy.restoreReason());
			return noBackup;
		}
		String generation = this.copy.wal().position().generation();
		List<String> generations = this.client.generations();
		if (!generations.contains(generation)) {
			restore("generation " + generation + " is gone from the replica");
			return false;
		}
		if (generations.size() > 1) {
			Optional<NewestBackup> newest = new RestorePlanner(this.client).newestBackup();
			if (newest.isPresent() && !newest.get().generation().equals(generation)) {
				restore("the replica's newest generation is now " + newest.get().generation());
				return false;
			}
		}
		List<WalSegmentInfo> segments = this.client.walSegments(generation);
		List<WalSegmentInfo> pending = segments.stream().filter(this.copy.wal()::notApplied).toList();
		Instant polledAt = this.clock.instant();
		publish(pending, 0, segments, polledAt);
		for (int i = 0; i < pending.size() && !this.loop.stopping(); i++) {
			WalSegmentInfo segment = pending.get(i);
			if (!this.copy.wal().isNext(segment)) {
				if (!this.copy.wal().startsNextIndex(segment, segments)) {
					this.copy.restoreAgain("WAL segment " + segment.pos() + " does not follow "
							+ this.copy.wal().position() + " (the WAL between them was removed, by retention after a "
							+ "newer snapshot, for instance, or the last segment applied was rewritten with more bytes)");
					restore(this.copy.restoreReason());
					return false;
				}
				this.copy.startIndex(segment);
			}
			this.copy.apply(segment);
			publish(pending, i + 1, segments, polledAt);
		}
		return !this.loop.stopping();
	}

	/**
	 * Restores the latest state into a temporary file and puts it in place of the database.
	 * @return {@code false} if the replica holds no backup yet
	 */
	private boolean restore(String reason) throws IOException {
		Optional<LatestState> latest = LatestState.restore(this.client, this.database, this.options.parallelism(),
				reason);
		if (latest.isEmpty()) {
			this.status = this.status.noBackup(this.clock.instant());
			return false;
		}
		Pos position = this.copy.install(latest.get());
		this.status = this.status.restored(position, this.clock.instant());
		return true;
	}

	private void publish(List<WalSegmentInfo> pending, int applied, List<WalSegmentInfo> segments, Instant polledAt) {
		this.status = this.status.polled(this.copy.wal().position(), pending.subList(applied, pending.size()), segments,
				polledAt, applied > 0);
	}

	/**
	 * Makes the follower poll now rather than at the end of its interval.
	 */
	public void wakeUp() {
		this.loop.wakeUp();
	}

	/**
	 * Waits until a poll that began after this call applied everything it listed: when the
	 * writer of the replica is known to have stopped (it released its lease after its last
	 * upload), the file then holds everything the replica does.
	 * @param timeout how long to wait
	 * @return {@code true} if such a poll completed in time
	 */
	public boolean catchUp(Duration timeout) {
		return this.loop.catchUp(timeout);
	}

	/**
	 * Whether the follower's thread runs (it ends once stopped, interrupted, or on an error it
	 * cannot go on after; {@link FollowerStatus#stopped()} then tells).
	 * @return {@code true} while it follows
	 */
	public boolean isRunning() {
		return this.loop.isRunning();
	}

	/**
	 * Where the follower is, and how far behind the replica.
	 * @return the status
	 */
	public FollowerStatus status() {
		return this.status;
	}

	/**
	 * Runs code while no segment is being applied: the database file is one committed state
	 * until it returns. Keep it short: the follower waits for it.
	 * @param <T> what the code returns
	 * @param reader the code, given the database file and its position ({@code null} before the
	 * first restore)
	 * @return what the code returned
	 * @throws IOException if the code fails
	 */
	public <T> T read(DatabaseReader<T> reader) throws IOException {
		return this.copy.read(reader);
	}

	/**
	 * Stops following, after the segment being applied, and leaves the state that lets the
	 * engine continue the generation after the followed position (see
	 * {@link GenerationContinuation}): start replication on the file, and its next WAL index is
	 * the next one of that generation, and removes the file's {@link FollowerCopyMark} (until
	 * then the engine refuses the file, which may be torn). A follower cannot be started again.
	 * <p>Once the follower's thread ended, the file's {@link RestoreLock} is let go of, whatever
	 * this returns or throws. A follower whose thread ended on its own (interrupted, or an error)
	 * let go of it then: its file is not handed over.
	 * @param timeout how long to wait for a segment or restore in progress
	 * @return the position the database file holds, or empty if it holds no state to continue
	 * (the replica held no backup, or only a snapshot, or the continuation could not be recorded)
	 * @throws IOException if the state cannot be written, the follower did not stop in time
	 * (its thread may still replace the file: the caller must not use it), the file is no
	 * longer proven one state of the replica and was to be restored again, or the follower had
	 * stopped on its own before
	 */
	public Optional<Pos> stop(Duration timeout) throws IOException {
		if (!this.loop.stop(timeout)) {
			// Still restoring or applying: the file may be replaced or written after this returns.
			throw new IOException("The follower of " + this.database + " did not stop within " + timeout
					+ " (a restore or a segment is still being applied); the file is not handed over");
		}
		if (this.loop.endedOnItsOwn()) {
			// Its lock is gone: a restore or another follower may own the file by now.
			throw new IOException("The follower's copy " + this.database + " of " + this.client.location()
					+ " is not handed over: " + this.status.lastError());
		}
		try {
			return this.copy.handOver();
		}
		finally {
			releaseLock();
		}
	}

	private synchronized void releaseLock() {
		if (this.lock != null) {
			this.lock.close();
			this.lock = null;
		}
	}

	/**
	 * Stops following (see {@link #stop(Duration)}), waiting up to 30 seconds.
	 * @throws IOException if the state cannot be written
	 */
	@Override
	public void close() throws IOException {
		stop(Duration.ofSeconds(30));
	}

	/**
	 * Reads the follower's database file while no segment is being applied.
	 *
	 * @param <T> what it returns
	 */
	@FunctionalInterface
	public interface DatabaseReader<T> {

		/**
		 * Reads the file.
		 * @param database the database file
		 * @param position the committed state it holds, or {@code null} before the first restore
		 * @return a result
		 * @throws IOException if reading fails
		 */
		T read(Path database, Pos position) throws IOException;

	}

}
