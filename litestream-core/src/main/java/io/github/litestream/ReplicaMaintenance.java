package io.github.litestream;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import io.github.litestream.Litestream.ReplicaValidation;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a {@link ReplicaTask} enforces its replica's retention and validates it, and those two
 * passes. Retention runs soon after start, once the replica has synced, then every retention
 * check interval; validation every validation interval. A pass that failed (a store that is
 * down, a busy database) is tried again after the sync interval, doubling up to its interval,
 * so that a replica that came back does not read as failing for a whole interval.
 *
 * <p>Not thread-safe: used on the replica's lane only. The task decides whether a pass may run
 * at all (not while stopping, nor while a snapshot uploads).
 */
final class ReplicaMaintenance {

	// The task's category, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(ReplicaTask.class);

	private final Replica replica;

	private final @Nullable ReplicaValidation validation;

	/** The retention check interval, at most the retention. */
	private final Duration retentionEvery;

	private Instant nextRetention;

	/** The wait before a retention pass that failed is tried again, or {@code null}. */
	private @Nullable Duration retentionRetry;

	private Instant nextValidation;

	/** The wait before a validation that could not run is tried again, or {@code null}. */
	private @Nullable Duration validationRetry;

	/**
	 * Creates the schedule of a task that starts now.
	 * @param replica the replica
	 * @param validation how the replica is validated, or {@code null} if it is not
	 * @param now the task's start
	 */
	ReplicaMaintenance(Replica replica, @Nullable ReplicaValidation validation, Instant now) {
		this.replica = replica;
		this.validation = validation;
		ReplicaOptions options = replica.options();
		this.retentionEvery = retentionCheckInterval(options);
		// Soon after start (once the replica has synced), not one check interval later: an
		// instance redeployed more often than that would otherwise never delete anything.
		this.nextRetention = now;
		this.nextValidation = now.plus(options.validationInterval());
	}

	/**
	 * The retention check interval, capped at the retention as Litestream v0.3 does: a longer
	 * one would keep what expired for up to that interval past the retention.
	 */
	private Duration retentionCheckInterval(ReplicaOptions options) {
		Duration retention = options.retention();
		Duration interval = options.retentionCheckInterval();
		if (retention.isZero() || interval.compareTo(retention) <= 0) {
			return interval;
		}
		logger.info("Replica '{}' of {} checks retention every {} (its retention), not every {}: "
				+ "retention-check-interval is longer than retention", this.replica.name(),
				this.replica.database().path(), retention, interval);
		return retention;
	}

	/**
	 * Enforces retention if a pass is due and the replica has synced.
	 * @param now the time of the task's step
	 * @param uploads where retention's own snapshot uploads
	 * @throws IOException if the pass failed (tried again soon)
	 */
	void enforceRetentionIfDue(Instant now, SnapshotUploads uploads) throws IOException {
		if (now.isBefore(this.nextRetention) || this.replica.position().isEmpty()) {
			return;
		}
		this.nextRetention = now.plus(this.retentionEvery);
		try {
			this.replica.enforceRetention(uploads.executor());
			this.retentionRetry = null;
		}
		catch (IOException | RuntimeException ex) {
			this.retentionRetry = retryWait(this.retentionRetry, this.retentionEvery);
			this.nextRetention = now.plus(this.retentionRetry);
			throw ex;
		}
		this.replica.snapshotUpload().ifPresent((upload) -> {
			// Retention's own snapshot: it deletes at the first step after it is stored.
			this.nextRetention = now;
			uploads.applyWhenStored(upload);
		});
	}

	/**
	 * Validates the replica if it is validated and a validation is due.
	 * @param now the time of the task's step
	 * @throws IOException if the validation could not run (tried again soon)
	 */
	void validateIfDue(Instant now) throws IOException {
		Duration interval = this.replica.options().validationInterval();
		if (this.validation == null || interval.isZero() || now.isBefore(this.nextValidation)) {
			return;
		}
		this.nextValidation = now.plus(interval);
		try {
			this.replica.recordValidation(this.validation.validate(this.replica));
			this.validationRetry = null;
		}
		catch (IOException | RuntimeException ex) {
			// Could not run (a busy database, an unreadable replica): not a whole interval later.
			this.validationRetry = retryWait(this.validationRetry, interval);
			this.nextValidation = now.plus(this.validationRetry);
			throw ex;
		}
	}

	/** The sync interval after a first failure, then twice the last wait, up to {@code max}. */
	private Duration retryWait(@Nullable Duration last, Duration max) {
		if (last == null) {
			return this.replica.options().syncInterval();
		}
		Duration doubled = last.multipliedBy(2);
		return (doubled.compareTo(max) <= 0) ? doubled : max;
	}

}
