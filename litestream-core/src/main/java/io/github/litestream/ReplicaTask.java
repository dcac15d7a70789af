package io.github.litestream;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import io.github.litestream.Litestream.ReplicaValidation;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaStatus;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one replica, run one step at a time on its own {@link SerialLane} of the
 * engine's replica pool. Every sync interval it copies the latest WAL into the shadow WAL
 * and ships what is new (only when the database moved, so an idle database makes no
 * requests), then begins a snapshot, enforces retention or validates when those are due
 * ({@link ReplicaMaintenance}).
 * Failures are logged once per cause and retried on the next tick.
 *
 * <p>A snapshot's upload (minutes, for a large database) runs on the engine's snapshot threads,
 * not on the lane: the lane goes on shipping WAL and serving commits that wait, and applies the
 * upload's outcome when it ends (see {@link io.github.litestream.replica.SnapshotUpload}).
 * Retention and validation wait until then. Stopping waits for an upload until its deadline,
 * then cancels it.
 *
 * <p>The thread is never interrupted: it reads the database file, the WAL and the shadow WAL,
 * and an interrupt closes a {@code FileChannel} in use. Stopping is cooperative instead: no new
 * step starts, and a step still running when the caller stops waiting finishes on its own (the
 * thread is a daemon).
 *
 * <p>A commit that waits to be replicated {@link #wake() wakes} the thread at once; the sync
 * that follows serves every commit waiting by then.
 */
final class ReplicaTask {

	private static final Logger logger = LoggerFactory.getLogger(ReplicaTask.class);

	private static final Duration REPEAT_WARNING_AFTER = Duration.ofMinutes(1);

	/** The longest pause between retries while commits wait on a failing replica. */
	private static final long MAX_RETRY_DELAY_MILLIS = 1000;

	private final ReplicatedDatabase database;

	private final Replica replica;

	private final Clock clock;

	private final ReplicaValidation validation;

	private final Runnable afterSync;

	private final SynchronousReplication synchronous;

	/** Whether this instance may write to the replica now (its lease); no step starts otherwise. */
	private final BooleanSupplier writable;

	/** Set while a sync for waiting commits is queued and has not started. */
	private final AtomicBoolean wakeQueued = new AtomicBoolean();

	/** How long to pause before retrying for waiting commits after a failure. */
	private long retryDelayMillis;

	/** Runs this replica's steps one at a time, on the engine's shared replica threads. */
	private volatile SerialLane executor;

	/** This replica's snapshot uploads, beside the lane. */
	private volatile SnapshotUploads uploads;

	/** The previous run's task of this replica until its last step ended (see {@link #start}). */
	private volatile @Nullable ReplicaTask previous;

	/** Set when stopping: the step in progress is the last. */
	private volatile boolean stopping;

	/** When retention and validation are due, and those passes. */
	private ReplicaMaintenance maintenance;

	private String lastWarning;

	private Instant lastWarningAt;

	ReplicaTask(ReplicatedDatabase database, Replica replica, Clock clock, ReplicaValidation validation,
			Runnable afterSync, SynchronousReplication synchronous, BooleanSupplier writable) {
		this.database = database;
		this.replica = replica;
		this.clock = clock;
		this.validation = validation;
		this.afterSync = afterSync;
		this.synchronous = synchronous;
		this.writable = writable;
	}

	/**
	 * Starts the task's schedule on its lane.
	 * @param lane the lane
	 * @param uploads where snapshot uploads run
	 * @param previous the same replica's task of the engine's previous run, whose step may still
	 * run (a stop that timed out): no step of this task runs before it ended, since a replica is
	 * used by one thread at a time; or {@code null}
	 */
	void start(SerialLane lane, Executor uploads, @Nullable ReplicaTask previous) {
		this.previous = previous;
		this.uploads = new SnapshotUploads(this.replica, uploads, lane);
		this.maintenance = new ReplicaMaintenance(this.replica, this.validation, this.clock.instant());
		this.executor = lane;
		long interval = this.replica.options().syncInterval().toMillis();
		this.executor.scheduleWithFixedDelay(this::tick, 0, interval, TimeUnit.MILLISECONDS);
	}

	private void tick() {
		try {
			if (this.stopping || !this.writable.getAsBoolean() || !previousEnded()) {
				return;
			}
			syncIfBehind();
			if (this.stopping) {
				return;
			}
			this.replica.beginSnapshotIfDue(this.uploads.executor()).ifPresent(this.uploads::applyWhenStored);
			Instant now = this.clock.instant();
			if (!this.stopping && !uploading()) {
				this.maintenance.enforceRetentionIfDue(now, this.uploads);
			}
			// A validation starts a new WAL index, which no checkpoint can while a snapshot reads.
			if (!this.stopping && !uploading()) {
				this.maintenance.validateIfDue(now);
			}
			recovered();
		}
		catch (IOException | RuntimeException ex) {
			warn(ex);
		}
	}

	private boolean syncIfBehind() throws IOException {
		if (!this.writable.getAsBoolean()) {
			return false;
		}
		// Read before copying: every commit of the waits up to this number is in the copy, if
		// the copy succeeds; otherwise the last copy may hold none of them.
		long request = this.synchronous.requested(this.database);
		boolean copied = copyLatestWal();
		if (this.database.newGenerationPending()) {
			// The copy could not start it: what is copied belongs to a generation that must not grow.
			return false;
		}
		Optional<Pos> target = this.replica.database().position();
		if (target.isEmpty()) {
			return false;
		}
		if (!target.equals(this.replica.position())) {
			this.replica.sync();
			this.afterSync.run();
		}
		Optional<Pos> reached = this.replica.position();
		// The replica may hold more than the target: the monitor can copy between the two reads.
		boolean caughtUp = reached.isPresent() && reached.get().generation().equals(target.get().generation())
				&& reached.get().compareTo(target.get()) >= 0;
		if (caughtUp && copied) {
			this.synchronous.stored(this.database, this.replica, request);
		}
		return caughtUp && copied;
	}

	private boolean uploading() {
		return this.replica.snapshotUpload().isPresent();
	}

	/**
	 * Takes a snapshot now, as an operator asks: begun on the lane, uploaded beside it.
	 * @return a future completing with the replica's status once the snapshot is stored
	 */
	Future<ReplicaStatus> snapshotNow() {
		return this.uploads.snapshotNow();
	}

	/** Whether the previous run's task of this replica has no step running any more. */
	private boolean previousEnded() {
		ReplicaTask before = this.previous;
		if (before == null) {
			return true;
		}
		if (!before.ended()) {
			return false;
		}
		this.previous = null;
		return true;
	}

	/** Whether this task was shut down and its last step ended. */
	boolean ended() {
		try {
			return this.executor.awaitTermination(0, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Syncs as soon as the thread is free, for commits waiting to be replicated. Any number of
	 * calls before the sync starts queue one sync.
	 */
	void wake() {
		SerialLane lane = this.executor;
		if (lane == null) {
			// Registered but not started yet: its first step, right away, serves the wait.
			return;
		}
		if (this.wakeQueued.compareAndSet(false, true)) {
			try {
				lane.execute(this::syncForWaiters);
			}
			catch (RejectedExecutionException ex) {
				// Shut down: the waits time out, their commits stay in the shadow WAL.
				this.wakeQueued.set(false);
			}
		}
	}

	private void syncForWaiters() {
		// Cleared first: a commit arriving during this sync may miss its copy, so it queues the next.
		this.wakeQueued.set(false);
		try {
			if (previousEnded() && syncIfBehind()) {
				this.retryDelayMillis = 0;
				return;
			}
		}
		catch (IOException | RuntimeException ex) {
			warn(ex);
		}
		// Failed, or not caught up (the WAL could not be copied, a new generation began between
		// the two reads): the next sync interval may be longer than the waits' timeout.
		retryForWaiters();
	}

	/**
	 * Retries soon while commits wait on this failing replica, backing off up to a second:
	 * the next sync interval may be longer than their timeout.
	 */
	private void retryForWaiters() {
		if (!this.synchronous.pending(this.database, this.replica)) {
			return;
		}
		this.retryDelayMillis = Math.min(MAX_RETRY_DELAY_MILLIS, Math.max(50, this.retryDelayMillis * 2));
		try {
			this.executor.schedule(this::wake, this.retryDelayMillis, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Shut down.
		}
	}

	/**
	 * Copies what was committed since the monitor's last step before shipping, so a commit
	 * waits for one timer (this replica's sync interval), not for the monitor's and then ours.
	 * Costs no request: an idle database yields nothing to ship.
	 * @return whether everything committed before the call is in the shadow WAL
	 */
	private boolean copyLatestWal() {
		try {
			this.database.sync();
			return true;
		}
		catch (IOException | RuntimeException ex) {
			// The monitor thread reports database errors; ship what is already copied.
			return false;
		}
	}

	/**
	 * Ships everything pending on this replica's thread, after whatever it is doing.
	 * @return a future that is {@code true} when the replica holds the database's position
	 */
	Future<Boolean> flush() {
		return this.executor.submit(() -> {
			try {
				return previousEnded() && syncIfBehind();
			}
			catch (IOException | RuntimeException ex) {
				logger.warn("Final sync of replica '{}' of {} failed: {}", this.replica.name(),
						this.replica.database().path(), ex.getMessage());
				return false;
			}
		});
	}

	<T> Future<T> run(Callable<T> action) {
		return this.executor.submit(action);
	}

	/**
	 * Stops the schedule: the step in progress is the last, but {@link #flush()} still runs on
	 * the replica's thread until {@link #shutdown(Duration)}.
	 */
	void stopSchedule() {
		this.stopping = true;
	}

	/**
	 * Stops the schedule and waits for the step in progress, at most {@code timeout}. Never
	 * interrupts the thread (see the class documentation): a step still running afterwards
	 * finishes in the background, and no other step starts.
	 * @param timeout how long to wait
	 * @return {@code true} if the thread finished within the timeout
	 */
	boolean shutdown(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		this.stopping = true;
		this.executor.shutdown();
		boolean laneEnded = false;
		try {
			laneEnded = this.executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (this.uploads.awaitOrCancel(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) && laneEnded) {
			return true;
		}
		logger.debug("Replica '{}' of {} is still busy after the shutdown timeout; its current step finishes "
				+ "in the background", this.replica.name(), this.replica.database().path());
		return false;
	}

	void closeClient() {
		try {
			this.replica.client().close();
		}
		catch (IOException ex) {
			logger.debug("Could not close replica client {}: {}", this.replica.client().location(), ex.getMessage());
		}
	}

	private void warn(Exception ex) {
		Instant now = this.clock.instant();
		String message = Objects.toString(ex.getMessage(), ex.getClass().getSimpleName());
		boolean repeat = message.equals(this.lastWarning) && this.lastWarningAt != null
				&& now.isBefore(this.lastWarningAt.plus(REPEAT_WARNING_AFTER));
		if (!repeat) {
			logger.warn("Replica '{}' ({}) of {} failed, retrying every {}: {}", this.replica.name(),
					this.replica.client().location(), this.replica.database().path(),
					this.replica.options().syncInterval(), message);
			this.lastWarning = message;
			this.lastWarningAt = now;
		}
	}

	private void recovered() {
		if (this.lastWarning != null) {
			logger.info("Replica '{}' ({}) of {} recovered", this.replica.name(), this.replica.client().location(),
					this.replica.database().path());
			this.lastWarning = null;
			this.lastWarningAt = null;
		}
	}

}
