package io.github.litestream.replica;

import java.time.Duration;
import java.util.Objects;

/**
 * How one replica is kept. Defaults match Litestream's, except that snapshots are taken
 * hourly by default so that restores stay fast.
 *
 * @param name the replica's name, unique per database (defaults to its type)
 * @param syncInterval how often new WAL is shipped
 * @param snapshotInterval how often a new snapshot is taken; zero turns periodic snapshots off
 * @param retention how long snapshots (and the WAL they need) are kept; zero keeps everything
 * @param retentionCheckInterval how often retention is enforced
 * @param validationInterval how often the replica is restored and compared with the database;
 * zero turns validation off
 */
public record ReplicaOptions(String name, Duration syncInterval, Duration snapshotInterval, Duration retention,
		Duration retentionCheckInterval, Duration validationInterval) {

	/** Default {@link #syncInterval()}. */
	public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);

	/** Default {@link #snapshotInterval()}. */
	public static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofHours(1);

	/** Default {@link #retention()}. */
	public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);

	/** Default {@link #retentionCheckInterval()}. */
	public static final Duration DEFAULT_RETENTION_CHECK_INTERVAL = Duration.ofHours(1);

	/** Default {@link #validationInterval()}: off. */
	public static final Duration DEFAULT_VALIDATION_INTERVAL = Duration.ZERO;

	/**
	 * Validates the options.
	 * @param name the name
	 * @param syncInterval the sync interval
	 * @param snapshotInterval the snapshot interval
	 * @param retention the retention
	 * @param retentionCheckInterval the retention check interval
	 * @param validationInterval the validation interval
	 */
	public ReplicaOptions {
		Objects.requireNonNull(name, "name");
		requirePositive(syncInterval, "sync-interval");
		requireNotNegative(snapshotInterval, "snapshot-interval");
		requireNotNegative(retention, "retention");
		requirePositive(retentionCheckInterval, "retention-check-interval");
		requireNotNegative(validationInterval, "validation-interval");
	}

	/**
	 * Options with every default.
	 * @param name the replica's name
	 * @return the options
	 */
	public static ReplicaOptions defaults(String name) {
		return new ReplicaOptions(name, DEFAULT_SYNC_INTERVAL, DEFAULT_SNAPSHOT_INTERVAL, DEFAULT_RETENTION,
				DEFAULT_RETENTION_CHECK_INTERVAL, DEFAULT_VALIDATION_INTERVAL);
	}

	/**
	 * A copy with another sync interval.
	 * @param interval the interval
	 * @return the new options
	 */
	public ReplicaOptions withSyncInterval(Duration interval) {
		return new ReplicaOptions(this.name, interval, this.snapshotInterval, this.retention,
				this.retentionCheckInterval, this.validationInterval);
	}

	/**
	 * A copy with another snapshot interval.
	 * @param interval the interval
	 * @return the new options
	 */
	public ReplicaOptions withSnapshotInterval(Duration interval) {
		return new ReplicaOptions(this.name, this.syncInterval, interval, this.retention, this.retentionCheckInterval,
				this.validationInterval);
	}

	/**
	 * A copy with another retention and check interval.
	 * @param retention the retention
	 * @param checkInterval the check interval
	 * @return the new options
	 */
	public ReplicaOptions withRetention(Duration retention, Duration checkInterval) {
		return new ReplicaOptions(this.name, this.syncInterval, this.snapshotInterval, retention, checkInterval,
				this.validationInterval);
	}

	/**
	 * A copy with another validation interval.
	 * @param interval the interval
	 * @return the new options
	 */
	public ReplicaOptions withValidationInterval(Duration interval) {
		return new ReplicaOptions(this.name, this.syncInterval, this.snapshotInterval, this.retention,
				this.retentionCheckInterval, interval);
	}

	private static void requirePositive(Duration duration, String property) {
		if (duration == null || duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException(property + " must be positive, not " + duration);
		}
	}

	private static void requireNotNegative(Duration duration, String property) {
		if (duration == null || duration.isNegative()) {
			throw new IllegalArgumentException(property + " must not be negative, not " + duration);
		}
	}

}
