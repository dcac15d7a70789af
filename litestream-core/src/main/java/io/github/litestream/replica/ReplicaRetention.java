package io.github.litestream.replica;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executor;

import io.github.litestream.db.ReplicationSource;
import io.github.litestream.replica.SnapshotTurns.Recorder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Replica}'s retention pass: what must happen before {@link RetentionPolicy} deletes,
 * and whether a pass needs to list the store at all. Nothing runs while a snapshot uploads;
 * when the newest snapshot has expired, a new one is taken (or begun) first; once a pass went
 * through, the next one lists the store only when a snapshot it knows of has expired. A pass
 * that fails counts in the replica's status until one goes through. Used from the replica's
 * thread only.
 */
final class ReplicaRetention {

	/** The replica's own category: operators filter on it. */
	private static final Logger logger = LoggerFactory.getLogger(Replica.class);

	private final ReplicationSource database;

	private final ReplicaClient client;

	private final ReplicaOptions options;

	private final Clock clock;

	private final SnapshotCatalog catalog;

	private final WalStream stream;

	private final SnapshotTurns turns;

	private final ReplicaActivity activity;

	/** Records an operation in the replica's status (its failures reset the WAL stream). */
	private final Recorder recorder;

	/** Whether a pass went through, so that other generations were cleaned already. */
	private boolean retentionChecked;

	/** Whether the store held no generation before this replica began ({@link Replica#storeListedEmpty}). */
	private volatile boolean listedEmpty;

	ReplicaRetention(ReplicationSource database, ReplicaClient client, ReplicaOptions options, Clock clock,
			SnapshotCatalog catalog, WalStream stream, SnapshotTurns turns, ReplicaActivity activity,
			Recorder recorder) {
		this.database = database;
		this.client = client;
		this.options = options;
		this.clock = clock;
		this.catalog = catalog;
		this.stream = stream;
		this.turns = turns;
		this.activity = activity;
		this.recorder = recorder;
	}

	/** See {@link Replica#storeListedEmpty()}. */
	void storeListedEmpty() {
		this.listedEmpty = true;
	}

	/** See {@link Replica#enforceRetention(Executor)}; the upload's outcome is applied already. */
	int enforce(@Nullable Executor uploader) throws IOException {
		Pos shipped = this.stream.position();
		if (this.options.retention().isZero() || shipped == null || this.turns.upload() != null) {
			return 0;
		}
		Instant cutoff = this.clock.instant().minus(this.options.retention());
		SnapshotInfo latest = this.catalog.latest(shipped.generation());
		if (latest != null && latest.createdAt().isBefore(cutoff) && this.turns.wanted()) {
			// As Litestream's retention does when no snapshot is younger than the retention (no
			// periodic snapshots, or an interval longer than it): the WAL before a new one can go.
			if (uploader != null) {
				// Deletes once the snapshot is stored, at the caller's next retention step.
				this.turns.begin(uploader);
				return 0;
			}
			this.turns.take();
		}
		Pos pos = this.stream.position();
		if (pos == null) {
			return 0;
		}
		SnapshotInfo oldest = this.catalog.oldest(pos.generation());
		if (this.retentionChecked && (oldest == null || !oldest.createdAt().isBefore(cutoff))) {
			// Nothing we know of has expired, and other generations were cleaned already.
			return 0;
		}
		int deleted;
		RetentionPolicy policy = new RetentionPolicy(this.client, cutoff);
		// Until a pass went through, a store found empty before this replica began is not listed: a
		// generation begun since is left to a later pass (retention deletes only what it listed).
		boolean othersListed = this.retentionChecked || !this.listedEmpty;
		try {
			deleted = this.recorder
				.record(() -> policy.enforce(pos.generation(), this.catalog, this.stream.walFloor(), othersListed));
		}
		catch (IOException | RuntimeException ex) {
			this.activity.retentionFailed(this.clock.instant());
			throw ex;
		}
		this.stream.walDeletedBelow(policy.walDeletedBelow());
		this.activity.retentionEnforced();
		this.retentionChecked = true;
		if (deleted > 0) {
			logger.info("Replica '{}' of {} deleted {} objects older than the retention of {}", this.options.name(),
					this.database.path(), deleted, this.options.retention());
		}
		return deleted;
	}

}
