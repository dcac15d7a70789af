package io.github.litestream.replica;

import java.time.Instant;


/**
 * What a replica last did, for endpoints and health.
 *
 * @param position how far the replica has been written, or {@code null} before the first sync
 * @param lastSyncAt when the last sync succeeded, or {@code null}
 * @param lastError the message of the last failure, or {@code null}; never contains credentials
 * @param lastErrorAt when the last failure happened, or {@code null}
 * @param failingSince when the current run of failures began; {@code null} while healthy
 * @param lastSnapshotAt when the last snapshot was written, or {@code null}
 * @param snapshotCount snapshots in the current generation, or -1 if unknown
 * @param lastValidation the result of the last validation, or {@code null}
 * @param walReleasedAt when the engine stopped keeping local WAL for this failing replica (it
 * passed the database's {@code max-shadow-wal-size}), or {@code null} while the WAL is kept; such
 * a replica restarts from a new snapshot when it comes back
 */
public record ReplicaStatus(Pos position, Instant lastSyncAt, String lastError, Instant lastErrorAt,
		Instant failingSince, Instant lastSnapshotAt, int snapshotCount, ValidationResult lastValidation,
		Instant walReleasedAt) {

	/**
	 * The outcome of comparing a restored replica with the live database.
	 *
	 * @param at when the validation finished
	 * @param position the position compared
	 * @param matched whether the checksums matched
	 * @param detail a human-readable summary
	 */
	public record ValidationResult(Instant at, Pos position, boolean matched, String detail) {
	}

}
