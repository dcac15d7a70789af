package io.github.litestream.replica;

import java.time.Duration;


/**
 * Told what a {@link Replica} does, for metrics. Every method has an empty default;
 * implementations must be fast and must not throw.
 */
public interface ReplicaListener {

	/**
	 * A WAL segment was stored.
	 * @param start where it starts
	 * @param bytes uncompressed WAL bytes it holds
	 * @param duration how long the upload took
	 */
	default void onWalSegment(Pos start, long bytes, Duration duration) {
	}

	/**
	 * A snapshot was stored.
	 * @param snapshot the snapshot
	 * @param duration how long it took
	 */
	default void onSnapshot(SnapshotInfo snapshot, Duration duration) {
	}

	/**
	 * A validation finished.
	 * @param result its outcome
	 */
	default void onValidation(ReplicaStatus.ValidationResult result) {
	}

	/**
	 * An operation failed.
	 * @param error the failure
	 */
	default void onError(Exception error) {
	}

}
