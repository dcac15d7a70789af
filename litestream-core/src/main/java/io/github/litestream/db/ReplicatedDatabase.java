package io.github.litestream.db;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

import io.github.litestream.replica.Pos;

/**
 * One replicated database: captures every committed WAL frame into the shadow WAL, checkpoints,
 * and lets replicas read what they have not shipped yet. A façade over the pieces that do the
 * work:
 * <ul>
 * <li>{@link GenerationTracker}: the generation, the shadow WAL and the position; continuity with
 * the previous run and new indexes and generations;</li>
 * <li>{@link WalCapture}: copying what is committed, after a new generation if one is owed;
 * {@link MonitorStep}: the steps under the monitor lock (a monitor step: that copy and the checkpoint
 * due; a copy alone; a checkpoint asked for), and whether the monitor's steps fail;</li>
 * <li>{@link CheckpointPolicy}: which checkpoint is due (pure logic);</li>
 * <li>{@link Checkpointer}: the checkpoint procedure, which never lets SQLite restart the WAL
 * behind the engine and never holds up the application for long (its javadoc explains how);</li>
 * <li>{@link DatabaseLifecycle}: opening and closing; {@link CleanShutdown}: the final FULL
 * checkpoint and the record that lets the next start continue the generation;</li>
 * <li>{@link DatabaseHandles} (over {@link EngineConnections} and {@link DatabaseFile}),
 * {@link LocalState}: the engine's connections and its one descriptor on the database file, its
 * files next to the database.</li>
 * </ul>
 *
 * <h2>Locks</h2>
 * The monitor lock runs one step at a time (sync, checkpoint, validation, close): the pieces
 * above are not thread-safe and rely on it. The checkpoint lock keeps checkpoints out while a
 * snapshot reads the database file; a checkpoint that cannot have it is skipped, so a snapshot
 * never blocks a sync. Replicas read the position and the shadow WAL files without either lock.
 */
public final class ReplicatedDatabase implements ReplicationSource, AutoCloseable {

	/**
	 * The longest the engine waits for a SQLite lock (or the busy timeout, if shorter). Waiting
	 * for a lock does not hold up the application, but a checkpoint that cannot have the lock by
	 * then gives up, and a later sync tries again.
	 */
	public static final Duration LOCK_WAIT_BUDGET = Duration.ofMillis(500);

	/**
	 * The longest a checkpoint that is to restart the WAL waits for the write lock and then, while
	 * holding it, for application readers: application commits wait at most this long for
	 * readers, plus the checkpoint's own writes.
	 */
	public static final Duration READERS_WAIT = Duration.ofMillis(50);

	private final DatabaseOptions options;

	private final Path path;

	private final LocalState localState;

	private final List<DatabaseListener> listeners = new CopyOnWriteArrayList<>();

	/** Guards the pieces and the connections: one monitor step at a time. */
	private final ReentrantLock lock = new ReentrantLock();

	private final CheckpointPolicy policy;

	private final GenerationTracker tracker;

	private final PendingWal pendingWal;

	/** The connections, the database file's descriptor, and the lock a snapshot holds on it. */
	private final DatabaseHandles handles;

	/** Opens and closes the database, and owns the checkpointer while it is open. */
	private final DatabaseLifecycle lifecycle;

	private final DatabaseSnapshots snapshots;

	/** Copies what is committed, starting a new generation first when one was asked for. */
	private final WalCapture walCapture;

	/** The steps under the monitor lock: the monitor's, a copy without checkpoint, a checkpoint. */
	private final MonitorStep monitorStep;

	/**
	 * Creates a database that is not open yet.
	 * @param options the options
	 */
	public ReplicatedDatabase(DatabaseOptions options) {
		this(options, Clock.systemUTC());
	}

	/**
	 * Creates a database that is not open yet.
	 * @param options the options
	 * @param clock the clock for checkpoint intervals
	 */
	public ReplicatedDatabase(DatabaseOptions options, Clock clock) {
		this.options = options;
		this.path = options.path().toAbsolutePath().normalize();
		this.localState = new LocalState(this.path);
		this.policy = new CheckpointPolicy(options, clock, System::nanoTime);
		this.tracker = new GenerationTracker(this.path, this.localState, this.listeners, this::indexStarted);
		this.pendingWal = new PendingWal(this.path, this.localState);
		this.handles = new DatabaseHandles(this.path,
				new CheckpointHold(this.path.toString(), clock, options.checkpointInterval()));
		this.lifecycle = new DatabaseLifecycle(this.path, options.busyTimeout(), this.lock, this.handles, this.tracker,
				this.policy, this.localState, this.listeners);
		this.snapshots = new DatabaseSnapshots(this.path, this.lock, this.handles, this.tracker,
				this.lifecycle::openCheckpointer, this.lifecycle::closed);
		this.walCapture = new WalCapture(this.path, this.handles, this.tracker, this.lifecycle);
		this.monitorStep = new MonitorStep(this.path, this.lock, this.walCapture, this.lifecycle, this.listeners, clock);
	}

	private void indexStarted() {
		this.lifecycle.indexStarted();
	}

	/**
	 * Opens the engine's connections (creating the database if needed), proves or breaks
	 * continuity with the previous run, and copies the WAL once. Waits up to 30 seconds for a
	 * snapshot that a previous {@link #close(Duration)} left reading the file (see {@link #open(Duration)}).
	 * @throws IOException if the database cannot be opened
	 */
	public void open() throws IOException {
		open(Duration.ofSeconds(30));
	}

	/**
	 * Opens as {@link #open()} does. If a previous close left a snapshot reading the file (its
	 * connections close when it ends), waits for it first: opening meanwhile would leave the new
	 * connections to that close.
	 * @param closeWait how long to wait for it at most
	 * @throws IOException if the database cannot be opened, or that snapshot still reads it
	 */
	public void open(Duration closeWait) throws IOException {
		this.lifecycle.open(closeWait);
	}

	/**
	 * Waits as {@link #open(Duration)} does first, without opening, for a caller that must not
	 * hold its own lock that long (an engine's start); {@code true} once no close waits for a
	 * snapshot. {@link #requireNotClosing} then fails as that open would.
	 */
	public boolean awaitPreviousClose(Duration wait) {
		return this.lifecycle.awaitPreviousClose(wait);
	}

	/** See {@link #awaitPreviousClose}; {@code waited} is named in the message. */
	public void requireNotClosing(Duration waited) throws IOException {
		this.lifecycle.requireNotClosing(waited);
	}

	/** Whether a previous close left a snapshot upload reading the file, which may still write to a replica. */
	public boolean closingAfterSnapshot() {
		return this.lifecycle.closingAfterSnapshot();
	}

	/**
	 * One monitor step: copies newly committed WAL frames into the shadow WAL and checkpoints
	 * when a threshold is reached.
	 * @return the number of WAL bytes copied
	 * @throws IOException if the WAL cannot be read or the shadow WAL written
	 */
	public long sync() throws IOException {
		return this.monitorStep.run();
	}

	/**
	 * Copies what is committed into the shadow WAL, as a monitor step does but without its
	 * checkpoint (which may wait for the write lock) and without telling the listeners: for an
	 * application thread that needs the position of everything committed so far.
	 * @return the position, empty before the database has a generation
	 * @throws IOException if the WAL cannot be copied
	 */
	public Optional<Pos> copyCommitted() throws IOException {
		return this.monitorStep.copyCommitted(this::position);
	}

	/**
	 * Whether the file at the database's path is no longer the one the engine opened: deleted,
	 * or replaced by another file. Its replication then fails at every step.
	 * @return {@code true} if it was replaced or deleted
	 */
	public boolean fileReplaced() {
		return this.walCapture.fileReplaced();
	}

	/**
	 * Makes the next {@link #sync()} start a new generation: continuity with a replica can no
	 * longer be proven (another instance may have written to it meanwhile).
	 * @param reason why, for the log and the listeners
	 */
	@Override
	public void requestNewGeneration(String reason) {
		this.walCapture.requestNewGeneration(reason);
	}

	/**
	 * Whether a new generation was asked for and not started yet: until the next monitor step
	 * starts it, nothing of the current generation should be shipped.
	 * @return {@code true} while one is pending
	 */
	public boolean newGenerationPending() {
		return this.walCapture.newGenerationPending();
	}

	/**
	 * Runs the checkpoint procedure (see {@link Checkpointer}): moves the WAL's pages into the
	 * database file and restarts the WAL, starting the next index, unless a reader pins it.
	 * @param mode PASSIVE (never waits for readers), RESTART or TRUNCATE (wait for them moments,
	 * at most once a second)
	 * @throws IOException if the shadow WAL cannot be written
	 */
	public void checkpoint(CheckpointMode mode) throws IOException {
		this.monitorStep.checkpoint(mode);
	}

	@Override
	public Optional<ShadowWalSegment> pendingWal(Pos from) throws IOException {
		return this.pendingWal.after(from, this.tracker.position());
	}

	@Override
	public <T> T snapshot(SnapshotConsumer<T> consumer) throws IOException {
		return this.snapshots.snapshot(consumer);
	}

	@Override
	public <T> Optional<T> snapshotUnlessBusy(SnapshotConsumer<T> consumer) throws IOException {
		return this.snapshots.snapshotUnlessBusy(consumer);
	}

	@Override
	public <T> T snapshotAtNewIndex(SnapshotConsumer<T> consumer) throws IOException {
		return this.snapshots.snapshotAtNewIndex(consumer);
	}

	/**
	 * Whether size-based checkpoints could not restart the current WAL index because a read
	 * transaction (of the application or another process) pins it. The WAL grows until that
	 * transaction ends; every sync tries again.
	 * @return the pinned WAL, or empty when the last attempt on this index restarted it or none
	 * failed
	 */
	public Optional<PinnedWal> pinnedWal() {
		return this.lifecycle.pinnedWal();
	}

	/**
	 * Whether a snapshot that reads the database file for its upload has kept due checkpoints
	 * from running longer than {@code checkpoint-interval}: WAL shipping goes on, but the WAL
	 * grows until the upload ends. Logged once at WARN when it happens.
	 * @return since when, or empty (always empty once the snapshot ended)
	 */
	public Optional<CheckpointsHeld> checkpointsHeld() {
		return this.handles.checkpointsHeld();
	}

	@Override
	public DatabaseChecksum checksumAtNewIndex() throws IOException {
		return this.snapshots.checksumAtNewIndex();
	}

	@Override
	public void startNewIndex() throws IOException {
		this.snapshots.startNewIndex();
	}

	/**
	 * Deletes local shadow WAL files that every replica has shipped.
	 * @param index the lowest index any replica still needs
	 * @throws IOException if files cannot be deleted
	 */
	public void removeShadowWalBefore(long index) throws IOException {
		Pos current = this.tracker.position();
		if (current != null) {
			this.localState.removeShadowWalsBefore(current.generation(), Math.min(index, current.index()));
		}
	}

	/**
	 * The bytes of shadow WAL kept on disk for replicas that have not shipped them yet.
	 * @return the total size of the current generation's shadow WAL files, 0 before opening
	 * @throws IOException if the directory cannot be read
	 */
	public long shadowWalSize() throws IOException {
		Pos current = this.tracker.position();
		return (current != null) ? this.localState.shadowWalSize(current.generation()) : 0;
	}

	/**
	 * Closes the engine's connections. Call it after a final {@link #sync()} and after the
	 * application's own connections are closed: then a final FULL checkpoint proves that the
	 * database file holds exactly the shadow WAL's end state, which lets the next start continue
	 * this generation. Waits up to 5 seconds for a snapshot still reading the file.
	 */
	@Override
	public void close() {
		close(Duration.ofSeconds(5));
	}

	/**
	 * Closes the engine's connections as {@link #close()} does, waiting at most {@code snapshotWait}
	 * for a snapshot still reading the file: if one still does, they close once it has ended,
	 * without the final checkpoint (it would change the file under the snapshot).
	 * @param snapshotWait how long to wait for a snapshot; zero not to
	 */
	public void close(Duration snapshotWait) {
		this.lifecycle.close(snapshotWait);
	}

	/**
	 * Closes the descriptors that closed databases had to keep on their files, because other
	 * connections of this JVM still used them, once a file was deleted or replaced (a deleted
	 * tenant's): until then they stay open, and without this until the JVM exits.
	 * @return how many descriptors it closed
	 */
	public static int closeDescriptorsOfDeletedFiles() {
		return DatabaseHandles.closeUnreachableFiles();
	}

	/**
	 * Adds a listener.
	 * @param listener the listener
	 */
	public void addListener(DatabaseListener listener) {
		this.listeners.add(listener);
	}

	@Override
	public Optional<Pos> position() {
		return Optional.ofNullable(this.tracker.position());
	}

	@Override
	public boolean claimNewGeneration(String generation, String location) {
		return this.tracker.claims().claim(generation, location);
	}

	@Override
	public Path path() {
		return this.path;
	}

	/**
	 * The options.
	 * @return the options
	 */
	public DatabaseOptions options() {
		return this.options;
	}

	/**
	 * Whether the monitor's steps fail, so that new commits reach no replica.
	 * @return since when and why, or {@code null} after a step that succeeded
	 */
	public SyncFailure syncFailure() {
		return this.monitorStep.failure();
	}

	/**
	 * When the engine last checkpointed.
	 * @return the time, or {@code null} before opening
	 */
	public Instant lastCheckpointAt() {
		return this.policy.lastCheckpointAt();
	}

	/**
	 * The size of the database file.
	 * @return bytes, or 0 if it does not exist
	 */
	public long size() {
		return LocalState.sizeOf(this.path);
	}

	/**
	 * The size of the real WAL.
	 * @return bytes, or 0 if it does not exist
	 */
	public long walSize() {
		return LocalState.sizeOf(this.tracker.walPath());
	}

	/**
	 * When the real WAL was last written, by the file system's clock: a cheap test that nothing
	 * committed since a moment comfortably before it (a commit writes the WAL).
	 * @return the time, or empty if the WAL does not exist or cannot be read
	 */
	public Optional<Instant> walModifiedAt() {
		return LocalState.modifiedAt(this.tracker.walPath());
	}

}
