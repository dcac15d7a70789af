package io.github.litestream.db;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Since when a snapshot that reads the database file has kept due checkpoints from running.
 * An upload may take minutes while WAL shipping goes on beside it: every replica looks healthy,
 * and the WAL grows with every write until the upload ends. Once checkpoints have been held
 * back longer than the database's {@code checkpoint-interval} (the longest it asks the WAL to
 * go unchecked), this says so once at WARN and {@link #current()} reports it, until the
 * snapshot ends.
 *
 * <p>{@link #held()} runs under the monitor lock, {@link #released()} on the snapshot's thread:
 * the methods are synchronized.
 */
final class CheckpointHold {

	// The database's category, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(ReplicatedDatabase.class);

	private final String database;

	private final Clock clock;

	private final Duration threshold;

	/** When the first checkpoint the running snapshot held back was due, or {@code null}. */
	private @Nullable Instant since;

	private boolean warned;

	/**
	 * Creates a hold record.
	 * @param database the database, for the log
	 * @param clock the clock
	 * @param threshold how long checkpoints may be held back before it is reported
	 */
	CheckpointHold(String database, Clock clock, Duration threshold) {
		this.database = database;
		this.clock = clock;
		this.threshold = threshold;
	}

	/** A due checkpoint was skipped because a snapshot holds the checkpoint lock. */
	synchronized void held() {
		Instant now = this.clock.instant();
		if (this.since == null) {
			this.since = now;
			return;
		}
		if (!this.warned && overdue(this.since, now)) {
			this.warned = true;
			logger.warn("Checkpoints of {} have been held back since {} (longer than its checkpoint-interval, {}) "
					+ "by a snapshot that is still reading the database for its upload: the WAL grows with every "
					+ "write until the upload ends. Give the replica more upload bandwidth, or snapshot less often "
					+ "(snapshot-interval)", this.database, this.since, this.threshold);
		}
	}

	/** The snapshot ended (or a checkpoint had the lock): checkpoints run again. */
	synchronized void released() {
		if (this.warned) {
			logger.info("Checkpoints of {} run again: the snapshot that held them back since {} ended", this.database,
					this.since);
		}
		this.since = null;
		this.warned = false;
	}

	/**
	 * The hold, once it has lasted longer than the threshold.
	 * @return since when checkpoints have been held back, or empty
	 */
	synchronized Optional<CheckpointsHeld> current() {
		Instant first = this.since;
		if (first == null || !overdue(first, this.clock.instant())) {
			return Optional.empty();
		}
		return Optional.of(new CheckpointsHeld(first, this.threshold));
	}

	private boolean overdue(Instant first, Instant now) {
		return Duration.between(first, now).compareTo(this.threshold) >= 0;
	}

}
