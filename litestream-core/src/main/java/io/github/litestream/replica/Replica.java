package io.github.litestream.replica;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

import io.github.litestream.db.ReplicationSource;
import org.jspecify.annotations.Nullable;

/**
 * One replica of one database: ships new shadow WAL as LZ4 segments, takes snapshots and
 * enforces retention ({@link ReplicaRetention}), through a {@link ReplicaClient}.
 *
 * <p>The replica's position is what the replica itself holds, never what we hope it holds: at
 * start (and after any failure) it is recomputed from the replica's newest segment. Each sync
 * ships everything pending in one segment per WAL index, so a steady write load costs one
 * upload per sync interval (two when a checkpoint started a new index). Failures never reach
 * the application: they are recorded in {@link #status()} and the next sync retries.
 *
 * <p>Methods are called from one thread (the replica's), except {@link #status()} and
 * {@link #snapshotUpload()}. The {@code begin...} methods move only a snapshot's upload to
 * another thread (see {@link SnapshotUpload}); its outcome is applied on the replica's thread,
 * by {@link #applySnapshotUpload()} or by any other method, first.
 */
public final class Replica {

	private final ReplicationSource database;

	private final ReplicaClient client;

	private final ReplicaOptions options;

	private final Clock clock;

	private final List<ReplicaListener> listeners = new CopyOnWriteArrayList<>();

	private final SnapshotCatalog catalog = new SnapshotCatalog();

	/** Where this replica's thread has shipped to; other threads see {@link #restorable}. */
	private final WalStream stream;

	/**
	 * The position once a snapshot of its generation is stored, else {@code null}: what a restore
	 * from this replica reaches. A generation's first snapshot ships the WAL up to its own
	 * position before it is written, and a reader must not take that for a backup.
	 */
	private volatile Pos restorable;

	private final ReplicaActivity activity = new ReplicaActivity();

	private final ReplicaSnapshots snapshots;

	/** Periodic snapshots, and the one uploading beside this replica's thread. */
	private final SnapshotTurns turns;

	/** Deletes what retention no longer needs, after what must come first. */
	private final ReplicaRetention retention;

	/**
	 * Creates a replica.
	 * @param database the database it copies
	 * @param client where the copies go
	 * @param options how often it syncs, snapshots and cleans up
	 */
	public Replica(ReplicationSource database, ReplicaClient client, ReplicaOptions options) {
		this(database, client, options, Clock.systemUTC());
	}

	/**
	 * Creates a replica.
	 * @param database the database it copies
	 * @param client where the copies go
	 * @param options how often it syncs, snapshots and cleans up
	 * @param clock the clock for intervals and status times
	 */
	public Replica(ReplicationSource database, ReplicaClient client, ReplicaOptions options, Clock clock) {
		this.database = database;
		this.client = client;
		this.options = options;
		this.clock = clock;
		this.stream = new WalStream(database, client, options.name(), this.listeners, this::publish);
		this.snapshots = new ReplicaSnapshots(database, client, options, this.stream, this.catalog, this.listeners, clock,
				() -> {
					publish();
					this.activity.snapshotStored();
				});
		this.turns = new SnapshotTurns(database, options, clock, this.catalog, this.snapshots, this.activity,
				this::recording);
		this.retention = new ReplicaRetention(database, client, options, clock, this.catalog, this.stream, this.turns,
				this.activity, this::recording);
	}

	/**
	 * Ships every committed change the replica does not have yet.
	 * @return the replica's position afterwards, or empty if the database has no position yet
	 * @throws IOException if the replica cannot be read or written (also recorded in the status)
	 */
	public Optional<Pos> sync() throws IOException {
		applySnapshotUpload();
		return recording(() -> {
			Optional<Pos> target = this.database.position();
			if (target.isEmpty()) {
				return Optional.empty();
			}
			String generation = target.get().generation();
			Pos shipped = this.stream.position();
			if (shipped == null || !shipped.generation().equals(generation)) {
				this.stream.forget();
				this.restorable = null;
				if (this.stream.meetsNew(generation)) {
					// A generation the database just began: nothing of it is stored to list.
					this.catalog.replace(generation, List.of());
				}
				else {
					this.catalog.refresh(this.client, generation);
				}
				if (this.catalog.isEmpty(generation)) {
					// Ships the generation's WAL up to the snapshot's position first.
					snapshot();
				}
				else {
					this.stream.resumeAt(ResumePoint.of(this, this.catalog.latest(generation), target.get()));
				}
			}
			long unrestorableFrom = this.stream.unrestorableFrom();
			// A snapshot uploading beside this thread was begun past the gap: it covers it.
			if (unrestorableFrom >= 0 && this.turns.upload() == null && !this.catalog.isEmpty(generation)
					&& this.catalog.latest(generation).index() < unrestorableFrom) {
				// A catch-up snapshot was begun but never stored (here or by a snapshot call that
				// failed): nothing past the gap restores until one is.
				snapshot();
			}
			if (!this.stream.ship(target.get())) {
				// We fell behind further than the local shadow WAL reaches: start over from a
				// snapshot, which restarts the WAL stream at its index.
				this.snapshots.catchUp();
				this.stream.ship(this.database.position().orElse(target.get()));
			}
			publish();
			this.activity.synced(this.clock.instant());
			return Optional.of(this.stream.position());
		});
	}

	/**
	 * Writes a snapshot of the database now.
	 * @return the stored snapshot
	 * @throws IOException if it cannot be written
	 */
	public SnapshotInfo snapshot() throws IOException {
		return this.snapshots.take();
	}

	/**
	 * Takes a snapshot now, as an operator asks (the actuator, the engine's
	 * {@code snapshotNow}): as {@link #snapshotIfDue()} does, never over a stored snapshot.
	 * @return the stored snapshot
	 * @throws IOException if it cannot be written, or a new WAL index cannot be started for it
	 */
	public SnapshotInfo snapshotNow() throws IOException {
		prepareSnapshotNow();
		return recording(this::snapshot);
	}

	/**
	 * Begins a snapshot as {@link #snapshotNow()} takes one, but uploads it on {@code uploader}
	 * while this replica's thread goes on shipping WAL.
	 * @param uploader where the upload runs
	 * @return the upload; {@link SnapshotUpload#applied()} completes once the snapshot is stored
	 * and applied on this replica's thread
	 * @throws IOException if it cannot be begun (a new WAL index cannot be started for it,
	 * another snapshot of the database is uploading, the WAL up to it cannot be shipped)
	 */
	public SnapshotUpload beginSnapshotNow(Executor uploader) throws IOException {
		applySnapshotUpload();
		if (this.turns.upload() == null) {
			prepareSnapshotNow();
		}
		// Refused while one uploads.
		return this.turns.beginNow(uploader);
	}

	private void prepareSnapshotNow() throws IOException {
		applySnapshotUpload();
		Optional<Pos> current = this.database.position();
		if (current.isPresent()) {
			recording(() -> {
				this.catalog.refresh(this.client, current.get().generation());
				return null;
			});
			try {
				this.turns.startNewIndexIfSnapshotted(current);
			}
			catch (IOException ex) {
				// A busy database is no failure of the replica: not recorded in its status.
				throw new IOException("Cannot take a snapshot of " + this.database.path() + " for replica '" + name()
						+ "' now: its newest snapshot has the current WAL index, and a new index could not be started ("
						+ ex.getMessage() + "). Another snapshot upload or a long read transaction keeps the WAL; ask "
						+ "again once it ends", ex);
			}
		}
	}

	/**
	 * Takes a snapshot if the snapshot interval passed since the newest one and the database
	 * changed since it: an idle database costs nothing.
	 * @return the new snapshot, if one was taken
	 * @throws IOException if it cannot be written
	 */
	public Optional<SnapshotInfo> snapshotIfDue() throws IOException {
		applySnapshotUpload();
		boolean take = this.turns.due(this.stream.position()) && this.turns.wanted();
		return take ? Optional.of(this.turns.take()) : Optional.empty();
	}

	/**
	 * Begins a snapshot if {@link #snapshotIfDue()} would take one, and uploads it on
	 * {@code uploader} while this replica's thread goes on shipping WAL.
	 * @param uploader where the upload runs
	 * @return the upload, if one was begun
	 * @throws IOException if it cannot be begun
	 */
	public Optional<SnapshotUpload> beginSnapshotIfDue(Executor uploader) throws IOException {
		applySnapshotUpload();
		boolean begin = this.turns.due(this.stream.position()) && this.turns.wanted();
		return begin ? this.turns.begin(uploader) : Optional.empty();
	}

	/**
	 * Applies the outcome of the snapshot uploading beside this replica's thread, if it ended:
	 * from now on the snapshot counts as stored (or its failure is recorded, as a snapshot taken
	 * on this thread would be). Call on the replica's thread; every other method does it first.
	 */
	public void applySnapshotUpload() {
		this.turns.apply();
	}

	/**
	 * The snapshot uploading beside this replica's thread, or whose outcome is not applied yet.
	 * @return the upload, if any
	 */
	public Optional<SnapshotUpload> snapshotUpload() {
		return Optional.ofNullable(this.turns.upload());
	}

	/**
	 * Tells the replica that its store held no generation at all when it was listed, before this
	 * replica began writing (a new database's registration found no backup to restore): until a
	 * retention pass goes through, retention examines only the generation this replica writes,
	 * instead of listing the generations. A generation another writer began since is examined by
	 * a later pass: retention deletes only what it listed, so it is never deleted wrongly.
	 */
	public void storeListedEmpty() {
		this.retention.storeListedEmpty();
	}

	/**
	 * Deletes what retention no longer needs, keeping at least the newest restorable point.
	 * @return how many snapshots and segments were deleted
	 * @throws IOException if the replica cannot be listed or deleted from
	 */
	public int enforceRetention() throws IOException {
		return enforceRetention(null);
	}

	/**
	 * Like {@link #enforceRetention()}, but a snapshot that retention takes (the newest expired)
	 * is begun and uploaded on {@code uploader}; nothing is deleted until it is stored, and
	 * nothing at all while a snapshot uploads (a new generation's cleanup could otherwise delete
	 * the generation it is being written to).
	 * @param uploader where a snapshot's upload runs, or {@code null} to take it here
	 * @return how many snapshots and segments were deleted
	 * @throws IOException if the replica cannot be listed or deleted from
	 */
	public int enforceRetention(@Nullable Executor uploader) throws IOException {
		applySnapshotUpload();
		return this.retention.enforce(uploader);
	}

	/**
	 * Keeps the outcome of a validation (performed by the restore package, which can restore).
	 * @param result the outcome
	 */
	public void recordValidation(ReplicaStatus.ValidationResult result) {
		this.activity.validated(result);
		this.listeners.forEach((listener) -> listener.onValidation(result));
	}

	/**
	 * Records that the engine no longer keeps shadow WAL for this replica, which holds no
	 * position (it is failing): when it comes back, it restarts from a new snapshot.
	 * @param at when
	 * @return {@code false} if that was recorded already
	 */
	public boolean releaseWal(Instant at) {
		return this.activity.releaseWal(at);
	}

	private <T> T recording(IoAction<T> action) throws IOException {
		try {
			T result = action.run();
			this.activity.succeeded();
			return result;
		}
		catch (IOException | RuntimeException ex) {
			this.activity.failed(ex.getMessage(), this.clock.instant());
			this.stream.forget();
			this.restorable = null;
			this.listeners.forEach((listener) -> listener.onError(ex));
			throw ex;
		}
	}

	/**
	 * What the replica last did.
	 * @return the status
	 */
	public ReplicaStatus status() {
		Pos pos = this.restorable;
		SnapshotInfo latest = (pos != null) ? this.catalog.latest(pos.generation()) : null;
		int count = (pos != null) ? this.catalog.count(pos.generation()) : -1;
		return this.activity.status(pos, (latest != null) ? latest.createdAt() : null, count);
	}

	/**
	 * Adds a listener.
	 * @param listener the listener
	 */
	public void addListener(ReplicaListener listener) {
		this.listeners.add(listener);
	}

	/**
	 * The replica's name.
	 * @return the name
	 */
	public String name() {
		return this.options.name();
	}

	/**
	 * The replica's position, if known: how far a restore from it reaches.
	 * @return the position, or empty before the first snapshot of the current generation is
	 * stored, after a failure, and while a new generation begins
	 */
	public Optional<Pos> position() {
		return Optional.ofNullable(this.restorable);
	}

	private void publish() {
		Pos pos = this.stream.position();
		long unrestorableFrom = this.stream.unrestorableFrom();
		boolean restorable = pos != null && !this.catalog.isEmpty(pos.generation())
				&& (unrestorableFrom < 0 || this.catalog.latest(pos.generation()).index() >= unrestorableFrom);
		this.restorable = restorable ? pos : null;
	}

	/**
	 * The backend.
	 * @return the client
	 */
	public ReplicaClient client() {
		return this.client;
	}

	/**
	 * The options.
	 * @return the options
	 */
	public ReplicaOptions options() {
		return this.options;
	}

	/**
	 * The database this replica copies, as replicas see it.
	 * @return the database
	 */
	public ReplicationSource database() {
		return this.database;
	}

	@FunctionalInterface
	interface IoAction<T> {

		T run() throws IOException;

	}

}
