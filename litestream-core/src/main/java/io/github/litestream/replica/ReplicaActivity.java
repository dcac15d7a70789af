package io.github.litestream.replica;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What a replica last did, written by its thread and read by any: the last sync, the last error
 * and since when it fails, the last validation, and whether the engine stopped keeping shadow
 * WAL for it. {@link Replica} adds where it stands to make its {@link ReplicaStatus}.
 */
final class ReplicaActivity {

	private volatile @Nullable Instant lastSyncAt;

	private volatile @Nullable String lastError;

	private volatile @Nullable Instant lastErrorAt;

	private volatile @Nullable Instant failingSince;

	/**
	 * Since when snapshots fail, or {@code null}: kept apart, since the syncs that succeed in
	 * between must not hide snapshots that keep failing (the newest snapshot ages, and all WAL
	 * since it is kept).
	 */
	private volatile @Nullable Instant snapshotsFailingSince;

	/** Since when retention fails, or {@code null}: kept apart for the same reason (storage grows). */
	private volatile @Nullable Instant retentionFailingSince;

	private volatile ReplicaStatus.@Nullable ValidationResult lastValidation;

	/** When the engine stopped keeping shadow WAL for this failing replica, or {@code null}. */
	private volatile @Nullable Instant walReleasedAt;

	/** An operation succeeded: the replica is not failing. */
	void succeeded() {
		this.failingSince = null;
	}

	/**
	 * An operation failed.
	 * @param message what went wrong
	 * @param at when
	 */
	void failed(@Nullable String message, Instant at) {
		this.lastError = message;
		this.lastErrorAt = at;
		if (this.failingSince == null) {
			this.failingSince = at;
		}
	}

	/**
	 * A snapshot failed: the replica counts as failing until one succeeds.
	 * @param at when
	 */
	void snapshotFailed(Instant at) {
		if (this.snapshotsFailingSince == null) {
			this.snapshotsFailingSince = at;
		}
	}

	/** A snapshot was stored. */
	void snapshotStored() {
		this.snapshotsFailingSince = null;
	}

	/**
	 * Retention failed: the replica counts as failing until it succeeds.
	 * @param at when
	 */
	void retentionFailed(Instant at) {
		if (this.retentionFailingSince == null) {
			this.retentionFailingSince = at;
		}
	}

	/** Retention ran through. */
	void retentionEnforced() {
		this.retentionFailingSince = null;
	}

	/**
	 * A sync shipped everything: the replica is caught up again (through a new snapshot if its WAL
	 * was no longer kept).
	 * @param at when
	 */
	void synced(Instant at) {
		this.lastSyncAt = at;
		this.walReleasedAt = null;
	}

	void validated(ReplicaStatus.ValidationResult result) {
		this.lastValidation = result;
	}

	/**
	 * Records that the engine no longer keeps shadow WAL for this replica.
	 * @param at when
	 * @return {@code false} if that was recorded already
	 */
	boolean releaseWal(Instant at) {
		if (this.walReleasedAt != null) {
			return false;
		}
		this.walReleasedAt = at;
		return true;
	}

	private @Nullable Instant earliestFailure() {
		Instant earliest = null;
		for (Instant since : new Instant[] { this.failingSince, this.snapshotsFailingSince,
				this.retentionFailingSince }) {
			if (since != null && (earliest == null || since.isBefore(earliest))) {
				earliest = since;
			}
		}
		return earliest;
	}

	/**
	 * The status, with where the replica stands.
	 * @param position how far a restore reaches, or {@code null}
	 * @param latestSnapshotAt when its newest snapshot was taken, or {@code null}
	 * @param snapshots how many snapshots its generation has, or -1
	 * @return the status
	 */
	ReplicaStatus status(@Nullable Pos position, @Nullable Instant latestSnapshotAt, int snapshots) {
		return new ReplicaStatus(position, this.lastSyncAt, this.lastError, this.lastErrorAt, earliestFailure(),
				latestSnapshotAt, snapshots, this.lastValidation, this.walReleasedAt);
	}

}
