package io.github.litestream.replica;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;

import io.github.litestream.db.ReplicationSource;
import io.github.litestream.replica.Replica.IoAction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a {@link Replica} takes its periodic (and retention's) snapshots, and the one snapshot
 * that may upload beside its thread: whether one is due and wanted, the backoff after failures,
 * and applying an upload's outcome on the replica's thread. Used from the replica's thread only,
 * except {@link #upload()}.
 */
final class SnapshotTurns {

	/** The replica's own category: operators filter on it. */
	private static final Logger logger = LoggerFactory.getLogger(Replica.class);

	private static final Duration PERIODIC_SNAPSHOT_MAX_WAIT = Duration.ofMinutes(10);

	private final ReplicationSource database;

	private final String name;

	private final ReplicaOptions options;

	private final Clock clock;

	private final SnapshotCatalog catalog;

	private final ReplicaSnapshots snapshots;

	private final ReplicaActivity activity;

	/** Records an operation in the replica's status (its failures reset the WAL stream). */
	private final Recorder recorder;

	/**
	 * When a failed periodic snapshot may be tried again: each attempt reads and uploads the
	 * whole database, so not at every sync while the store refuses it (a size limit, a policy).
	 */
	private final RetryBackoff periodicSnapshots;

	/** The snapshot whose upload runs beside the replica's thread, until its outcome is applied. */
	private volatile @Nullable SnapshotUpload upload;

	SnapshotTurns(ReplicationSource database, ReplicaOptions options, Clock clock, SnapshotCatalog catalog,
			ReplicaSnapshots snapshots, ReplicaActivity activity, Recorder recorder) {
		this.database = database;
		this.name = options.name();
		this.options = options;
		this.clock = clock;
		this.catalog = catalog;
		this.snapshots = snapshots;
		this.activity = activity;
		this.recorder = recorder;
		this.periodicSnapshots = new RetryBackoff(options.syncInterval(), PERIODIC_SNAPSHOT_MAX_WAIT);
	}

	@Nullable SnapshotUpload upload() {
		return this.upload;
	}

	/**
	 * Whether the snapshot interval passed since the newest snapshot and none is uploading.
	 * @param shipped where the replica's WAL stream stands, or {@code null}
	 */
	boolean due(@Nullable Pos shipped) {
		if (this.options.snapshotInterval().isZero() || shipped == null || this.upload != null) {
			return false;
		}
		SnapshotInfo latest = this.catalog.latest(shipped.generation());
		return latest == null
				|| !latest.createdAt().plus(this.options.snapshotInterval()).isAfter(this.clock.instant());
	}

	/**
	 * Whether to take a periodic snapshot now: not if the database is where this process last
	 * took one, or the last attempt failed moments ago; the database moves to a new index first
	 * when the newest snapshot has its current one.
	 */
	boolean wanted() {
		Optional<Pos> current = this.database.position();
		Pos snapshotted = this.snapshots.lastPosition();
		boolean changed = snapshotted == null || !snapshotted.equals(current.orElse(null));
		if (!changed || !this.periodicSnapshots.ready(this.clock.instant())) {
			return false;
		}
		try {
			startNewIndexIfSnapshotted(current);
			return true;
		}
		catch (IOException ex) {
			logger.debug("Replica '{}' of {} postpones its snapshot: {}", this.name, this.database.path(),
					ex.getMessage());
			return false;
		}
	}

	/**
	 * Snapshot keys name only their index: another snapshot of the index the newest one has
	 * would replace it (a restore point lost, and a restore that listed the old one could open
	 * the new), so the database moves to a new index first.
	 */
	void startNewIndexIfSnapshotted(Optional<Pos> current) throws IOException {
		SnapshotInfo latest = current.map((pos) -> this.catalog.latest(pos.generation())).orElse(null);
		if (latest != null && current.get().index() == latest.index()) {
			this.database.startNewIndex();
		}
	}

	/** Takes a periodic snapshot on this thread. */
	SnapshotInfo take() throws IOException {
		try {
			SnapshotInfo stored = this.recorder.record(this.snapshots::take);
			this.periodicSnapshots.succeeded();
			return stored;
		}
		catch (IOException | RuntimeException ex) {
			failed(ex);
			throw ex;
		}
	}

	/**
	 * Begins a periodic snapshot uploading on {@code uploader}.
	 * @return the upload, or empty while another snapshot of the database uploads, or every
	 * snapshot thread is busy (this one's turn comes at a later step)
	 */
	Optional<SnapshotUpload> begin(Executor uploader) throws IOException {
		try {
			this.upload = this.recorder.record(() -> this.snapshots.begin(uploader, true));
			return Optional.ofNullable(this.upload);
		}
		catch (IOException | RuntimeException ex) {
			failed(ex);
			throw ex;
		}
	}

	/**
	 * Begins a snapshot an operator asked for, uploading on {@code uploader}.
	 * @throws IOException if one uploads already, or it cannot be begun
	 */
	SnapshotUpload beginNow(Executor uploader) throws IOException {
		if (this.upload != null) {
			throw new IOException("Replica '" + this.name + "' of " + this.database.path()
					+ " is uploading a snapshot already; ask again once it ends");
		}
		SnapshotUpload begun = this.recorder.record(() -> this.snapshots.begin(uploader, false));
		if (begun == null) {
			throw new IOException("Cannot take a snapshot of " + this.database.path() + " for replica '" + this.name
					+ "' now: another snapshot of it, or as many snapshots as the engine has replica threads, are "
					+ "uploading; ask again once they end");
		}
		this.upload = begun;
		return begun;
	}

	/**
	 * Applies the outcome of the upload, if it ended: from now on the snapshot counts as stored
	 * (or its failure is recorded, as a snapshot taken on the replica's thread would be).
	 */
	void apply() {
		SnapshotUpload ended = this.upload;
		if (ended == null || !ended.stored().isDone()) {
			return;
		}
		this.upload = null;
		if (ended.cancelled()) {
			// The engine stopped: no failure of the replica; the next start snapshots again.
			ended.notApplied(new IOException("The snapshot upload of " + this.database.path() + " to replica '"
					+ this.name + "' was cancelled: the engine stopped"));
			return;
		}
		try {
			SnapshotInfo info = this.recorder.record(() -> this.snapshots.finish(ended));
			if (ended.periodic()) {
				this.periodicSnapshots.succeeded();
			}
			ended.applied(info);
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Replica '{}' of {} could not store a snapshot: {}", this.name, this.database.path(),
					ex.getMessage());
			if (ended.periodic()) {
				failed(ex);
			}
			ended.notApplied(ex);
		}
	}

	private void failed(Exception ex) {
		Instant now = this.clock.instant();
		this.periodicSnapshots.failed(now, ex.getMessage());
		this.activity.snapshotFailed(now);
	}

	/** Runs an operation, recording its outcome in the replica's status. */
	interface Recorder {

		<T> T record(IoAction<T> action) throws IOException;

	}

}
