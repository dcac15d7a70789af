package io.github.litestream.db;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * When to checkpoint, as pure logic: the shadow WAL's frame count, the thresholds, the clock and
 * what happened last decide; running the checkpoint is {@link Checkpointer}'s job.
 * <ul>
 * <li>at least {@code max-checkpoint-page-count} frames: a checkpoint that restarts the WAL even
 * if it has to wait moments for readers ({@link Action#RESTART});</li>
 * <li>at least {@code min-checkpoint-page-count} frames: one that restarts the WAL if no reader
 * pins it ({@link Action#PASSIVE});</li>
 * <li>new frames since the last checkpoint and {@code checkpoint-interval} passed: one that only
 * moves pages into the database file, so an idle database stays silent
 * ({@link Action#IN_PLACE}).</li>
 * </ul>
 * Apart from that, a checkpoint may wait for readers at most once per second (see
 * {@link #mayWaitForReaders()}). Not thread-safe: the database's monitor lock guards it, but
 * {@link #lastCheckpointAt()} may be read from anywhere.
 */
final class CheckpointPolicy {

	/**
	 * At most one checkpoint per this interval waits for readers, so a reader that stays for
	 * minutes holds up the application's writes for {@link ReplicatedDatabase#READERS_WAIT} once per
	 * second, not at every sync.
	 */
	static final Duration READERS_WAIT_INTERVAL = Duration.ofSeconds(1);

	private final DatabaseOptions options;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private volatile Instant lastCheckpointAt;

	/** Frames of the current index at the last checkpoint (or at its start). */
	private long framesAtLastCheckpoint;

	/** When a checkpoint may wait for readers again (on {@link #nanoTime}'s scale). */
	private long readersWaitAllowedAt;

	/**
	 * Creates a policy.
	 * @param options the thresholds and the interval
	 * @param clock the clock for the interval
	 * @param nanoTime a monotonic clock for the readers-wait rule ({@code System::nanoTime})
	 */
	CheckpointPolicy(DatabaseOptions options, Clock clock, LongSupplier nanoTime) {
		this.options = options;
		this.clock = clock;
		this.nanoTime = nanoTime;
		this.readersWaitAllowedAt = nanoTime.getAsLong();
	}

	/**
	 * Which checkpoint is due now.
	 * @param frames the frames of the current WAL index copied into the shadow WAL
	 * @return what to do
	 */
	Action due(long frames) {
		if (frames >= this.options.maxCheckpointPageCount()) {
			return Action.RESTART;
		}
		if (frames >= this.options.minCheckpointPageCount()) {
			return Action.PASSIVE;
		}
		if (frames > this.framesAtLastCheckpoint && this.lastCheckpointAt != null
				&& Duration.between(this.lastCheckpointAt, this.clock.instant())
					.compareTo(this.options.checkpointInterval()) >= 0) {
			return Action.IN_PLACE;
		}
		return Action.NONE;
	}

	/**
	 * A checkpoint ran (or the database was opened): the interval starts again.
	 */
	void checkpointed() {
		this.lastCheckpointAt = this.clock.instant();
	}

	/**
	 * The frames of the current index that a checkpoint has seen: a time-based checkpoint is due
	 * only once more arrive. Called when an index starts and after a time-based checkpoint.
	 * @param frames the shadow WAL's frame count
	 */
	void framesCheckpointed(long frames) {
		this.framesAtLastCheckpoint = frames;
	}

	/**
	 * Whether a checkpoint may wait for readers now; if so, the next may only in a second.
	 * @return whether to wait
	 */
	boolean mayWaitForReaders() {
		long now = this.nanoTime.getAsLong();
		if (now - this.readersWaitAllowedAt < 0) {
			return false;
		}
		this.readersWaitAllowedAt = now + READERS_WAIT_INTERVAL.toNanos();
		return true;
	}

	/**
	 * When a checkpoint last ran.
	 * @return the time, or {@code null} before the database was opened
	 */
	Instant lastCheckpointAt() {
		return this.lastCheckpointAt;
	}

	/**
	 * The clock's current time.
	 * @return now
	 */
	Instant now() {
		return this.clock.instant();
	}

	/** What {@link #due(long)} asks for. */
	enum Action {

		/** Nothing to do. */
		NONE,

		/** Move pages into the database file; keep the WAL and the index. */
		IN_PLACE,

		/** The checkpoint procedure in PASSIVE mode: restart the WAL unless readers pin it. */
		PASSIVE,

		/** The checkpoint procedure in RESTART mode: wait moments for readers that pin it. */
		RESTART

	}

}
