package io.github.litestream.db;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How one database is watched and checkpointed. Defaults match Litestream's.
 *
 * @param path the database file
 * @param monitorInterval how often the WAL is copied into the shadow WAL
 * @param checkpointInterval a PASSIVE checkpoint runs when this much time passed with changes
 * @param minCheckpointPageCount a PASSIVE checkpoint runs when the shadow WAL holds this many pages
 * @param maxCheckpointPageCount a RESTART checkpoint runs when the shadow WAL holds this many pages
 * @param busyTimeout how long the engine's connection waits for a lock
 * @param maxShadowWalSize bytes of shadow WAL kept for replicas that are failing, after which
 * they restart from a new snapshot when they come back; 0 for no bound
 */
public record DatabaseOptions(Path path, Duration monitorInterval, Duration checkpointInterval,
		int minCheckpointPageCount, int maxCheckpointPageCount, Duration busyTimeout, long maxShadowWalSize) {

	/** Default {@link #monitorInterval()}. */
	public static final Duration DEFAULT_MONITOR_INTERVAL = Duration.ofSeconds(1);

	/** Default {@link #checkpointInterval()}. */
	public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMinutes(1);

	/** Default {@link #minCheckpointPageCount()}. */
	public static final int DEFAULT_MIN_CHECKPOINT_PAGE_COUNT = 1000;

	/** Default {@link #maxCheckpointPageCount()}. */
	public static final int DEFAULT_MAX_CHECKPOINT_PAGE_COUNT = 10000;

	/** Default {@link #busyTimeout()}. */
	public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);

	/** Default {@link #maxShadowWalSize()}: 1 GiB. */
	public static final long DEFAULT_MAX_SHADOW_WAL_SIZE = 1L << 30;

	/**
	 * Validates the options.
	 * @param path the database file
	 * @param monitorInterval the monitor interval
	 * @param checkpointInterval the checkpoint interval
	 * @param minCheckpointPageCount the PASSIVE threshold
	 * @param maxCheckpointPageCount the RESTART threshold
	 * @param busyTimeout the busy timeout
	 * @param maxShadowWalSize the shadow WAL bound, 0 for none
	 */
	public DatabaseOptions {
		Objects.requireNonNull(path, "path");
		requirePositive(monitorInterval, "monitor-interval");
		requirePositive(checkpointInterval, "checkpoint-interval");
		requirePositive(busyTimeout, "busy-timeout");
		if (minCheckpointPageCount < 1) {
			throw new IllegalArgumentException("min-checkpoint-page-count must be at least 1, not " + minCheckpointPageCount);
		}
		if (maxShadowWalSize < 0) {
			throw new IllegalArgumentException("max-shadow-wal-size must not be negative, not " + maxShadowWalSize);
		}
		if (maxCheckpointPageCount < minCheckpointPageCount) {
			throw new IllegalArgumentException("max-checkpoint-page-count (" + maxCheckpointPageCount
					+ ") must not be less than min-checkpoint-page-count (" + minCheckpointPageCount + ")");
		}
	}

	/**
	 * Options with the default {@link #maxShadowWalSize()}.
	 * @param path the database file
	 * @param monitorInterval the monitor interval
	 * @param checkpointInterval the checkpoint interval
	 * @param minCheckpointPageCount the PASSIVE threshold
	 * @param maxCheckpointPageCount the RESTART threshold
	 * @param busyTimeout the busy timeout
	 */
	public DatabaseOptions(Path path, Duration monitorInterval, Duration checkpointInterval,
			int minCheckpointPageCount, int maxCheckpointPageCount, Duration busyTimeout) {
		this(path, monitorInterval, checkpointInterval, minCheckpointPageCount, maxCheckpointPageCount, busyTimeout,
				DEFAULT_MAX_SHADOW_WAL_SIZE);
	}

	/**
	 * Options with every default for a database file.
	 * @param path the database file
	 * @return the options
	 */
	public static DatabaseOptions defaults(Path path) {
		return new DatabaseOptions(path, DEFAULT_MONITOR_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL,
				DEFAULT_MIN_CHECKPOINT_PAGE_COUNT, DEFAULT_MAX_CHECKPOINT_PAGE_COUNT, DEFAULT_BUSY_TIMEOUT);
	}

	/**
	 * A copy with another monitor interval.
	 * @param interval the interval
	 * @return the new options
	 */
	public DatabaseOptions withMonitorInterval(Duration interval) {
		return new DatabaseOptions(this.path, interval, this.checkpointInterval, this.minCheckpointPageCount,
				this.maxCheckpointPageCount, this.busyTimeout, this.maxShadowWalSize);
	}

	/**
	 * A copy with other checkpoint thresholds.
	 * @param interval the checkpoint interval
	 * @param minPages the PASSIVE threshold
	 * @param maxPages the RESTART threshold
	 * @return the new options
	 */
	public DatabaseOptions withCheckpoints(Duration interval, int minPages, int maxPages) {
		return new DatabaseOptions(this.path, this.monitorInterval, interval, minPages, maxPages, this.busyTimeout,
				this.maxShadowWalSize);
	}

	/**
	 * A copy with another bound on the shadow WAL kept for failing replicas.
	 * @param bytes the bound, 0 for none
	 * @return the new options
	 */
	public DatabaseOptions withMaxShadowWalSize(long bytes) {
		return new DatabaseOptions(this.path, this.monitorInterval, this.checkpointInterval,
				this.minCheckpointPageCount, this.maxCheckpointPageCount, this.busyTimeout, bytes);
	}

	static void requirePositive(Duration duration, String name) {
		if (duration == null || duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, not " + duration);
		}
	}

}
