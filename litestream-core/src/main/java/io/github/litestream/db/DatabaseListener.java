package io.github.litestream.db;

import java.time.Duration;

/**
 * Told what a {@link ReplicatedDatabase} does, for metrics and logs. Every method has an empty
 * default; implementations must be fast and must not throw.
 */
public interface DatabaseListener {

	/**
	 * A monitor step copied WAL into the shadow WAL.
	 * @param duration how long the step took
	 * @param bytes how many WAL bytes were copied (0 when nothing changed)
	 */
	default void onSync(Duration duration, long bytes) {
	}

	/**
	 * A monitor step failed.
	 * @param error the failure
	 */
	default void onSyncError(Exception error) {
	}

	/**
	 * A checkpoint ran.
	 * @param mode PASSIVE (also the time-based checkpoint), RESTART or TRUNCATE
	 * @param duration how long it took
	 */
	default void onCheckpoint(CheckpointMode mode, Duration duration) {
	}

	/**
	 * A checkpoint that was to restart the WAL moved what it could but could not restart it,
	 * because a read transaction pins the WAL. It did not wait for that reader; the next sync
	 * tries again.
	 * @param mode RESTART or TRUNCATE
	 */
	default void onCheckpointBlocked(CheckpointMode mode) {
	}

	/**
	 * A checkpoint failed.
	 * @param mode the mode
	 * @param error the failure
	 */
	default void onCheckpointError(CheckpointMode mode, Exception error) {
	}

	/**
	 * A new generation started.
	 * @param generation the new generation
	 * @param reason why continuity with the previous one could not be proven
	 */
	default void onGeneration(String generation, String reason) {
	}

}
