package io.github.litestream.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

import io.github.litestream.db.EngineConnections.CheckpointResult;
import io.github.litestream.db.LocalState.ShutdownRecord;
import io.github.litestream.replica.Pos;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replicated database: captures every committed WAL frame into the shadow WAL and decides
 * when to checkpoint.
 *
 * <h2>Continuity</h2>
 * A replica's history is a <em>generation</em>: a snapshot plus WAL indexes that follow each
 * other without a gap. The engine continues a generation only when it can prove that nothing
 * happened to the database that the shadow WAL did not see: the real WAL still starts with the
 * shadow's header and still holds the shadow's last frame at the same offset. Anything else
 * (no generation file, a missing or torn shadow, a truncated, restarted or rewritten WAL)
 * starts a new generation, and the reason is logged. A clean shutdown is the exception that
 * keeps deploys cheap: after a final FULL checkpoint that provably covered exactly the
 * shadow's frames, the engine records the database file's checksum; if the file is unchanged at
 * the next start, the generation continues at the next index.
 *
 * <h2>Checkpoints</h2>
 * The engine holds a read transaction at all times (but for moments inside a checkpoint), so
 * SQLite can never restart the WAL behind it. To checkpoint it: (1) copies pending frames and
 * moves their pages into the database file with PASSIVE checkpoints, without any lock the
 * application waits for (syncing a large WAL and writing its pages is most of a checkpoint's
 * time): each round takes the read transaction again at the WAL's end, which it releases only
 * while frames past the checkpointed ones exist (a fully checkpointed WAL would let the next
 * application write restart it), for up to 4 rounds, until fewer than 1,024 frames arrived during
 * one; (2) takes the write lock ({@code BEGIN IMMEDIATE}) on its writer connection, releases the
 * read transaction, copies the last frames and runs a PASSIVE checkpoint on its reader connection,
 * so no application write can land between the copy and the checkpoint (without this, a steady
 * writer starves checkpoints forever); (3) releases the lock and takes it again: a connection that
 * begins after the WAL was emptied reads the database file only, which is what lets its next write
 * restart the WAL; (4) if the WAL is still exactly what was checkpointed, writes one row, making
 * SQLite restart the WAL under that lock and after the engine's last copy, and commits; (5) takes
 * the read transaction again and opens the next index. If an application write restarted the WAL
 * between (3) and (4), the old index's tail is still intact past the new WAL's end and is copied;
 * if that is not provable, or the salts show more than one restart, a new generation starts. The
 * write lock is held for two short moments per checkpoint; step (1) keeps the first one short (tens
 * of milliseconds instead of hundreds under a heavy write load). This is the size-based checkpoint;
 * the time-based one only copies pages into the database file and never restarts the WAL (see
 * {@link #checkpointWithoutRestart()}), so an idle database stays silent.
 *
 * <h2>Readers</h2>
 * A read transaction pins the frames that were in the WAL when it began: SQLite can neither move
 * later frames into the database file nor restart the WAL until it ends. SQLite's RESTART
 * checkpoint waits for such readers while it holds the write lock, so every application writer
 * waits behind it and fails once its busy timeout runs out (Litestream issue 724: an outage).
 * The engine waits for a lock at most {@link #LOCK_WAIT_BUDGET}. When readers keep step (2) from
 * emptying the WAL, it runs SQLite's RESTART but lets it wait, for the write lock and then for the
 * readers, at most {@link #READERS_WAIT} and at most once a second: short read transactions end
 * within that (a steady mix of short reads and writes would otherwise hardly ever let the WAL
 * restart), a long one does not. Then
 * the checkpoint gives up on restarting: the WAL keeps growing, every later sync tries again, and
 * {@link #pinnedWal()} and {@link DatabaseListener#onCheckpointBlocked(String)} say so.
 */
public final class ReplicatedDatabase implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ReplicatedDatabase.class);

	private static final SecureRandom RANDOM = new SecureRandom();

	/** At most this many checkpoints run before the one under the write lock. */
	private static final int BACKFILL_ROUNDS = 4;

	/** New frames (4 MiB of 4 KiB pages) few enough to checkpoint under the write lock. */
	private static final long BACKFILL_ENOUGH_FRAMES = 1024;

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

	/**
	 * At most one checkpoint per this interval waits for readers, so a reader that stays for
	 * minutes holds up the application's writes for {@link #READERS_WAIT} once per second, not at
	 * every sync.
	 */
	private static final long READERS_WAIT_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

	/** Descriptors kept open until the JVM exits, because closing them could drop SQLite's locks. */
	private static final List<DatabaseFile> RETAINED_FILES = new CopyOnWriteArrayList<>();

	private final DatabaseOptions options;

	private final Path path;

	private final Path walPath;

	private final LocalState localState;

	private final Clock clock;

	private final List<DatabaseListener> listeners = new CopyOnWriteArrayList<>();

	/** Guards the shadow WAL and the connections: one monitor step at a time. */
	private final ReentrantLock lock = new ReentrantLock();

	/** Held while the database file is read for a snapshot: no checkpoint may change it. */
	private final ReentrantLock checkpointLock = new ReentrantLock();

	private EngineConnections connections;

	private DatabaseFile databaseFile;

	private ShadowWal shadow;

	private String generation;

	private volatile Pos position;

	private volatile Instant lastCheckpointAt;

	private long framesAfterCheckpoint;

	/** Frames the last checkpoint copied back when it emptied the WAL, or -1. */
	private long checkpointedFrames = -1;

	/**
	 * Frames of the current WAL that the engine's last checkpoint reported in the database file
	 * ({@code Long.MAX_VALUE} if it could not tell).
	 */
	private long backfilledFrames;

	/** The last time a checkpoint could not restart the WAL because readers pin it, or null. */
	private volatile PinnedWal pinnedWal;

	/** When a checkpoint may wait for readers again ({@link System#nanoTime()}). */
	private long readersWaitAllowedAt = System.nanoTime();

	private boolean closed;

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
		this.walPath = this.path.resolveSibling(this.path.getFileName() + "-wal");
		this.localState = new LocalState(this.path);
		this.clock = clock;
	}

	/**
	 * Opens the engine's connections (creating the database if needed), proves or breaks
	 * continuity with the previous run, and copies the WAL once.
	 * @throws IOException if the database cannot be opened
	 */
	public void open() throws IOException {
		Path directory = this.path.getParent();
		if (!Files.isDirectory(directory)) {
			throw new NoSuchFileException(directory.toString(), null, "Cannot replicate " + this.path
					+ ": its directory does not exist. Create the directory or correct the database path");
		}
		this.lock.lock();
		try {
			Optional<ShutdownRecord> shutdown = this.localState.takeShutdownRecord();
			boolean cleanRestart = shutdown.isPresent() && Files.exists(this.path) && isUnchangedSince(shutdown.get());
			this.connections = EngineConnections.open(this.path, this.options.busyTimeout());
			if (this.databaseFile == null) {
				this.databaseFile = DatabaseFile.open(this.path);
			}
			this.connections.acquireReadLock();
			ensureWalExists();
			resume(cleanRestart ? shutdown.get().position() : null);
			this.lastCheckpointAt = this.clock.instant();
		}
		catch (SQLException ex) {
			throw new IOException("Cannot open " + this.path + " for replication: " + ex.getMessage(), ex);
		}
		finally {
			this.lock.unlock();
		}
	}

	private boolean isUnchangedSince(ShutdownRecord record) throws IOException {
		this.databaseFile = DatabaseFile.open(this.path);
		return this.databaseFile.size() == record.databaseSize()
				&& this.databaseFile.checksum() == record.databaseChecksum();
	}

	private void resume(Pos cleanShutdownPosition) throws IOException, SQLException {
		Optional<String> generation = this.localState.readGeneration();
		if (generation.isEmpty()) {
			startGeneration("no generation exists yet");
			return;
		}
		long index = this.localState.lastIndex(generation.get()).orElse(-1);
		ShadowWal shadow = (index >= 0) ? ShadowWal.open(this.localState.shadowWalPath(generation.get(), index), index)
				: null;
		if (shadow == null) {
			startGeneration("the shadow WAL of generation " + generation.get() + " is missing or unreadable");
			return;
		}
		this.generation = generation.get();
		this.shadow = shadow;
		this.backfilledFrames = 0;
		try (FileChannel wal = openWal()) {
			if (cleanShutdownPosition != null && cleanShutdownPosition.equals(currentPosition())
					&& !shadow.headerMatches(wal)) {
				logger.info("Continuing generation {} of {} after a clean shutdown", this.generation, this.path);
				startIndex(wal, index + 1);
				return;
			}
			String broken = continuityProblem(wal);
			if (broken != null) {
				startGeneration(broken);
				return;
			}
			shadow.copyFrom(wal);
			publishPosition();
			this.framesAfterCheckpoint = shadow.frameCount();
			logger.info("Continuing generation {} of {} at {}", this.generation, this.path, this.position);
		}
	}

	/**
	 * Why the real WAL cannot be a continuation of the shadow WAL, or {@code null} if it is.
	 */
	private String continuityProblem(FileChannel wal) throws IOException {
		if (wal.size() < this.shadow.size()) {
			return "the WAL was truncated by another process (" + wal.size() + " bytes, shadow WAL has "
					+ this.shadow.size() + ")";
		}
		if (!this.shadow.headerMatches(wal)) {
			return "the WAL was restarted or replaced by another process";
		}
		if (!this.shadow.lastFrameMatches(wal)) {
			return "the WAL was overwritten by another process";
		}
		return null;
	}

	/**
	 * One monitor step: copies newly committed WAL frames into the shadow WAL and checkpoints
	 * when a threshold is reached.
	 * @return the number of WAL bytes copied
	 * @throws IOException if the WAL cannot be read or the shadow WAL written
	 */
	public long sync() throws IOException {
		long started = System.nanoTime();
		this.lock.lock();
		try {
			requireOpen();
			// A failed checkpoint may have left it released; without it SQLite may restart the WAL.
			this.connections.acquireReadLock();
			ensureWalExists();
			long copied;
			try (FileChannel wal = openWal()) {
				String broken = continuityProblem(wal);
				if (broken != null) {
					startGeneration(broken);
				}
				copied = this.shadow.copyFrom(wal);
				publishPosition();
			}
			checkpointIfDue();
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			this.listeners.forEach((listener) -> listener.onSync(took, copied));
			return copied;
		}
		catch (IOException | SQLException | RuntimeException ex) {
			this.listeners.forEach((listener) -> listener.onSyncError(ex));
			throw (ex instanceof IOException io) ? io : new IOException("Sync of " + this.path + " failed: " + ex.getMessage(), ex);
		}
		finally {
			this.lock.unlock();
		}
	}

	private void checkpointIfDue() throws IOException {
		long frames = this.shadow.frameCount();
		if (frames >= this.options.maxCheckpointPageCount()) {
			checkpoint("RESTART");
		}
		else if (frames >= this.options.minCheckpointPageCount()) {
			checkpoint("PASSIVE");
		}
		else if (frames > this.framesAfterCheckpoint && Duration.between(this.lastCheckpointAt, this.clock.instant())
			.compareTo(this.options.checkpointInterval()) >= 0) {
			checkpointWithoutRestart();
		}
	}

	/**
	 * The time-based checkpoint: moves the committed pages into the database file but leaves the
	 * WAL and the index as they are. The engine first takes its read transaction again, at the
	 * WAL's current end (see {@link #backfill()}); a PASSIVE checkpoint can then copy every frame,
	 * while the read mark still keeps SQLite from restarting the WAL. So no bookkeeping write is
	 * needed, no new index begins, and a database that went idle makes no further request to its
	 * replicas (Litestream restarts the WAL here, which ships one more segment). The next
	 * size-based checkpoint restarts the WAL as usual.
	 */
	private void checkpointWithoutRestart() throws IOException {
		runCheckpointProcedure("PASSIVE", this::checkpointInPlace);
	}

	private void checkpointInPlace() throws IOException, SQLException {
		CheckpointResult result = backfill();
		logger.debug("Time-based checkpoint of {}: {} of {} WAL frames in the database file", this.path,
				result.checkpointedFrames(), result.walFrames());
		this.framesAfterCheckpoint = this.shadow.frameCount();
	}

	/**
	 * Moves the committed pages into the database file without the write lock: copies the new
	 * frames, takes the read transaction again at the WAL's current end (unless the WAL may be
	 * fully checkpointed already, see below) and runs a PASSIVE checkpoint, which application
	 * writes do not wait for and which cannot restart the WAL while the read transaction is held.
	 */
	private CheckpointResult backfill() throws IOException, SQLException {
		try (FileChannel wal = openWal()) {
			String broken = continuityProblem(wal);
			if (broken != null) {
				startGeneration(broken);
			}
			this.shadow.copyFrom(wal);
			// Without the read transaction, the next application write restarts a WAL whose
			// every frame is in the database file. Frames past the backfilled ones rule that out.
			if (this.shadow.frameCount() > this.backfilledFrames) {
				this.connections.releaseReadLock();
				this.connections.acquireReadLock();
				this.shadow.copyFrom(wal);
			}
		}
		publishPosition();
		return backfilled(this.connections.checkpoint("PASSIVE"));
	}

	private CheckpointResult backfilled(CheckpointResult result) {
		// Unknown (another connection held the checkpoint lock) counts as everything: the read
		// transaction then stays where it is until the step under the write lock.
		this.backfilledFrames = (result.checkpointedFrames() >= 0) ? result.checkpointedFrames() : Long.MAX_VALUE;
		return result;
	}

	/**
	 * Backfills until the frames written meanwhile are few, so that what remains for the write
	 * lock (syncing the WAL, writing and syncing pages) is short. A writer faster than the
	 * disk can keep ahead; the rounds are capped and the locked step then does the rest.
	 */
	private void backfillBeforeWriteLock() throws IOException, SQLException {
		for (int round = 0; round < BACKFILL_ROUNDS; round++) {
			long before = this.shadow.frameCount();
			CheckpointResult result = backfill();
			if (result.complete() || this.shadow.frameCount() - before <= BACKFILL_ENOUGH_FRAMES) {
				return;
			}
		}
	}

	/**
	 * Runs the checkpoint procedure described in the class documentation.
	 * @param mode PASSIVE, RESTART or TRUNCATE
	 * @throws IOException if the shadow WAL cannot be written
	 */
	public void checkpoint(String mode) throws IOException {
		this.lock.lock();
		try {
			requireOpen();
			runCheckpointProcedure(mode, () -> runCheckpoint(mode));
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Runs a checkpoint procedure unless a snapshot is reading the database, and tells the
	 * listeners how it went. Busy or locked means the application is writing: the next step
	 * tries again.
	 */
	private void runCheckpointProcedure(String mode, CheckpointProcedure procedure) throws IOException {
		if (!this.checkpointLock.tryLock()) {
			logger.debug("Skipping checkpoint of {}: a snapshot is reading the database", this.path);
			return;
		}
		long started = System.nanoTime();
		try {
			procedure.run();
			this.lastCheckpointAt = this.clock.instant();
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			this.listeners.forEach((listener) -> listener.onCheckpoint(mode, took));
		}
		catch (SQLException ex) {
			logger.debug("Checkpoint {} of {} did not run: {}", mode, this.path, ex.getMessage());
			this.listeners.forEach((listener) -> listener.onCheckpointError(mode, ex));
		}
		finally {
			this.checkpointLock.unlock();
		}
	}

	private void runCheckpoint(String mode) throws IOException, SQLException {
		backfillBeforeWriteLock();
		WalHeader before = this.shadow.header();
		String broken = null;
		try {
			if (!checkpointUnderWriteLock() && !"PASSIVE".equals(mode) && mayWaitForReaders()) {
				// Application readers pinned old frames. SQLite's RESTART waits for them while
				// holding the write lock, with every application writer waiting behind it: it may
				// wait only moments, enough for short read transactions to end. If that emptied
				// the WAL, the next write restarts it: better ours, below, than the application's,
				// which would look like a restart behind the engine's back.
				CheckpointResult result = backfilled(this.connections.checkpoint(mode, READERS_WAIT));
				this.checkpointedFrames = result.complete() ? result.walFrames() : -1;
			}
			this.connections.beginWrite();
			boolean commit = false;
			try (FileChannel wal = openWal()) {
				if (wal.size() < WalHeader.SIZE) {
					broken = "the WAL was truncated by another connection during a checkpoint";
				}
				else if (!this.shadow.headerMatches(wal)) {
					broken = copyTailAfterForeignRestart(wal);
				}
				else {
					this.shadow.copyFrom(wal);
					// If the checkpoint emptied the WAL, this write restarts it, under our lock and
					// after our last copy; otherwise it is not needed.
					if (isFullyCheckpointed()) {
						this.connections.bumpSequenceInTransaction();
						commit = true;
					}
				}
			}
			finally {
				this.connections.endWrite(commit);
			}
		}
		finally {
			this.connections.acquireReadLock();
		}
		publishPosition();
		if (broken != null) {
			startGeneration(broken);
			return;
		}
		try (FileChannel wal = openWal()) {
			if (this.shadow.headerMatches(wal)) {
				if (!"PASSIVE".equals(mode)) {
					restartBlocked(mode);
				}
				return;
			}
			WalHeader after = WalScanner.readHeader(wal);
			if (after.salt1() != before.salt1() + 1) {
				startGeneration("the WAL restarted more than once before its frames were copied");
				return;
			}
			startIndex(wal, this.shadow.index() + 1);
		}
	}

	private boolean mayWaitForReaders() {
		long now = System.nanoTime();
		if (now - this.readersWaitAllowedAt < 0) {
			return false;
		}
		this.readersWaitAllowedAt = now + READERS_WAIT_INTERVAL_NANOS;
		return true;
	}

	/**
	 * A checkpoint moved what it could but the WAL did not restart: a read transaction pins
	 * frames (the WAL could not be emptied) or a read mark (SQLite could not restart an empty
	 * WAL). The next sync tries again; meanwhile the WAL grows.
	 */
	private void restartBlocked(String mode) {
		PinnedWal previous = pinnedWal().orElse(null);
		Instant since = (previous != null) ? previous.since() : this.clock.instant();
		this.pinnedWal = new PinnedWal(currentPosition(), since, this.shadow.frameCount());
		if (previous == null) {
			logger.info("Checkpoint {} of {} could not restart the WAL ({} pages): a read transaction pins it; "
					+ "trying again at every sync", mode, this.path, this.shadow.frameCount());
		}
		this.listeners.forEach((listener) -> listener.onCheckpointBlocked(mode));
	}

	/**
	 * Copies the last frames and runs a PASSIVE checkpoint while holding the write lock, so that
	 * no application write can slip in between: under a steady write load this is what lets a
	 * checkpoint ever complete.
	 * @return whether every frame of the WAL is now in the database file
	 */
	private boolean checkpointUnderWriteLock() throws IOException, SQLException {
		this.connections.beginWrite();
		try {
			// Released only now: under the write lock nobody can restart the WAL meanwhile.
			this.connections.releaseReadLock();
			try (FileChannel wal = openWal()) {
				this.shadow.copyFrom(wal);
			}
			CheckpointResult result = backfilled(this.connections.checkpointOnReader("PASSIVE"));
			this.checkpointedFrames = result.complete() ? result.walFrames() : -1;
			return isFullyCheckpointed();
		}
		finally {
			this.connections.endWrite(false);
		}
	}

	private boolean isFullyCheckpointed() {
		return this.checkpointedFrames >= 0 && this.checkpointedFrames == this.shadow.frameCount();
	}

	/**
	 * Another connection restarted the WAL after our checkpoint emptied it. The old index's
	 * frames past the new WAL's end are still on disk: copy them, and prove none was lost.
	 * @return why continuity is lost, or {@code null} if the old index is complete
	 */
	private String copyTailAfterForeignRestart(FileChannel wal) throws IOException {
		this.shadow.copyFrom(wal);
		WalHeader current = WalScanner.readHeader(wal);
		long newEnd = WalScanner.scan(wal, current, WalHeader.SIZE, current.checksum()).end();
		if (newEnd > this.shadow.size()) {
			return "the WAL was restarted and overwritten before its last frames were copied";
		}
		return null;
	}

	private void startIndex(FileChannel wal, long index) throws IOException {
		if (index > Pos.MAX_INDEX) {
			startGeneration("the WAL index reached its maximum");
			return;
		}
		ShadowWal next = ShadowWal.create(this.localState.shadowWalPath(this.generation, index), index, wal);
		this.shadow.close();
		this.shadow = next;
		this.backfilledFrames = 0;
		next.copyFrom(wal);
		this.framesAfterCheckpoint = next.frameCount();
		publishPosition();
	}

	private void startGeneration(String reason) throws IOException {
		String generation = HexFormat.of().formatHex(randomBytes());
		try {
			ensureWalExists();
		}
		catch (SQLException ex) {
			throw new IOException("Cannot start generation for " + this.path + ": " + ex.getMessage(), ex);
		}
		ShadowWal next;
		try (FileChannel wal = openWal()) {
			next = ShadowWal.create(this.localState.shadowWalPath(generation, 0), 0, wal);
			next.copyFrom(wal);
		}
		if (this.shadow != null) {
			this.shadow.close();
		}
		this.shadow = next;
		this.backfilledFrames = 0;
		this.generation = generation;
		this.localState.writeGeneration(generation);
		this.localState.removeGenerationsExcept(generation);
		this.framesAfterCheckpoint = next.frameCount();
		publishPosition();
		logger.info("Started generation {} for {}: {}", generation, this.path, reason);
		this.listeners.forEach((listener) -> listener.onGeneration(generation, reason));
	}

	private static byte[] randomBytes() {
		byte[] bytes = new byte[8];
		RANDOM.nextBytes(bytes);
		return bytes;
	}

	private void ensureWalExists() throws SQLException {
		try {
			if (Files.exists(this.walPath) && Files.size(this.walPath) >= WalHeader.SIZE) {
				return;
			}
		}
		catch (IOException ex) {
			// Treat an unreadable size like a missing WAL: the write below recreates it.
		}
		this.connections.bumpSequence();
	}

	/**
	 * A channel on the real WAL for one step. SQLite holds no lock on the WAL file, so closing it
	 * is harmless; it ignores interrupts all the same, because a step that fails in the middle of
	 * a checkpoint (after the WAL restarted) costs a new generation.
	 */
	private FileChannel openWal() throws IOException {
		return UninterruptibleReadChannel.open(this.walPath);
	}

	private Pos currentPosition() {
		return new Pos(this.generation, this.shadow.index(), this.shadow.size());
	}

	private void publishPosition() {
		this.position = currentPosition();
	}

	private void requireOpen() {
		if (this.connections == null || this.closed) {
			throw new IllegalStateException("Database " + this.path + " is not open for replication");
		}
	}

	/**
	 * The shadow WAL bytes a replica at {@code from} has not shipped: the rest of that index,
	 * or, when it has all of it, the start of the next index.
	 * @param from the replica's position, in the current generation
	 * @return the bytes to ship, or empty when the replica is up to date
	 * @throws ShadowWalMissingException if that part of the shadow WAL is no longer kept
	 * @throws IOException if the position is not in the current generation or beyond its end
	 */
	public Optional<ShadowWalSegment> pendingWal(Pos from) throws IOException {
		Pos current = this.position;
		if (current == null || !current.generation().equals(from.generation())) {
			throw new IOException("Position " + from + " is not in the current generation of " + this.path);
		}
		long index = from.index();
		long offset = from.offset();
		long end = endOf(index, current);
		if (offset == end && index < current.index()) {
			index++;
			offset = 0;
			end = endOf(index, current);
		}
		if (offset > end) {
			throw new IOException("Replica position " + from + " is beyond the shadow WAL of " + this.path + " ("
					+ Pos.hex(end) + ")");
		}
		if (offset == end) {
			return Optional.empty();
		}
		Path file = this.localState.shadowWalPath(from.generation(), index);
		return Optional.of(new ShadowWalSegment(new Pos(from.generation(), index, offset), end - offset, file));
	}

	private long endOf(long index, Pos current) throws IOException {
		if (index == current.index()) {
			return current.offset();
		}
		Path file = this.localState.shadowWalPath(current.generation(), index);
		try {
			return Files.size(file);
		}
		catch (NoSuchFileException ex) {
			throw new ShadowWalMissingException("Shadow WAL " + file + " is no longer kept");
		}
	}

	/**
	 * Streams the database file for a snapshot. No checkpoint runs meanwhile, and the engine's
	 * read transaction pins the WAL index, so the file is the state at the start of the
	 * returned position's index plus some of that index's frames; restoring replays the whole
	 * index on top of it.
	 * @param <T> what the consumer returns
	 * @param consumer receives the position and the file's bytes
	 * @return what the consumer returned
	 * @throws IOException if the file cannot be read or the consumer fails
	 */
	public <T> T snapshot(SnapshotConsumer<T> consumer) throws IOException {
		this.checkpointLock.lock();
		try {
			Pos pos = this.position;
			if (pos == null || this.closed) {
				throw new IOException("Database " + this.path + " is not open for replication");
			}
			try (InputStream in = this.databaseFile.newInputStream()) {
				return consumer.accept(pos, in);
			}
		}
		finally {
			this.checkpointLock.unlock();
		}
	}

	/**
	 * Whether size-based checkpoints could not restart the current WAL index because a read
	 * transaction (of the application or another process) pins it. The WAL grows until that
	 * transaction ends; every sync tries again.
	 * @return the pinned WAL, or empty when the last attempt on this index restarted it or none
	 * failed
	 */
	public Optional<PinnedWal> pinnedWal() {
		PinnedWal pinned = this.pinnedWal;
		Pos current = this.position;
		if (pinned == null || current == null || !pinned.position().generation().equals(current.generation())
				|| pinned.position().index() != current.index()) {
			return Optional.empty();
		}
		return Optional.of(pinned);
	}

	/**
	 * Forces a RESTART checkpoint that starts a new WAL index and checksums the database file
	 * right then: the file holds exactly the state at the end of the previous index, which a
	 * replica restored up to that index must reproduce byte for byte.
	 * @return the checksum and the position of the new index's start
	 * @throws IOException if no new index could be started (the database is busy, or a read
	 * transaction pins the WAL: the checkpoint does not wait for it) or the file cannot be read
	 */
	public DatabaseChecksum checksumAtNewIndex() throws IOException {
		this.lock.lock();
		try {
			requireOpen();
			Pos before = currentPosition();
			checkpoint("RESTART");
			Pos after = currentPosition();
			if (!after.generation().equals(before.generation()) || after.index() != before.index() + 1) {
				throw new IOException("Could not start a new WAL index of " + this.path
						+ " for validation (the database was busy); will try again");
			}
			this.checkpointLock.lock();
			try {
				return new DatabaseChecksum(new Pos(after.generation(), after.index(), 0), this.databaseFile.checksum());
			}
			finally {
				this.checkpointLock.unlock();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * A checksum of the database file at the start of a WAL index.
	 *
	 * @param position the start of the index
	 * @param crc32c the CRC-32C of the whole file
	 */
	public record DatabaseChecksum(Pos position, long crc32c) {
	}

	/**
	 * Deletes local shadow WAL files that every replica has shipped.
	 * @param index the lowest index any replica still needs
	 * @throws IOException if files cannot be deleted
	 */
	public void removeShadowWalBefore(long index) throws IOException {
		Pos current = this.position;
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
		Pos current = this.position;
		return (current != null) ? this.localState.shadowWalSize(current.generation()) : 0;
	}

	/**
	 * Closes the engine's connections. Call it after a final {@link #sync()} and after the
	 * application's own connections are closed: then a final FULL checkpoint proves that the
	 * database file holds exactly the shadow WAL's end state, which lets the next start continue
	 * this generation.
	 */
	@Override
	public void close() {
		this.lock.lock();
		try {
			if (this.closed || this.connections == null) {
				return;
			}
			this.closed = true;
			recordCleanShutdown();
			this.connections.close();
			closeQuietly(this.shadow);
			if (Files.exists(this.walPath)) {
				// Someone else still has the database open: closing our descriptor could drop
				// their locks, so keep it until the JVM exits.
				RETAINED_FILES.add(this.databaseFile);
			}
			else {
				closeQuietly(this.databaseFile);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private void recordCleanShutdown() {
		try {
			try (FileChannel wal = openWal()) {
				if (continuityProblem(wal) != null) {
					return;
				}
				this.shadow.copyFrom(wal);
			}
			this.connections.releaseReadLock();
			// FULL (not TRUNCATE) because it reports how many frames it copied back: exactly the
			// shadow's frames means the database file now equals the shadow WAL's end state.
			CheckpointResult result = this.connections.checkpoint("FULL");
			try (FileChannel wal = openWal()) {
				// The WAL file may hold stale frames of earlier indexes past its end: "nothing new"
				// means no valid frame follows the shadow's end, not an equal file size.
				if (result.complete() && result.walFrames() == this.shadow.frameCount() && this.shadow.headerMatches(wal)
						&& this.shadow.copyFrom(wal) == 0) {
					this.localState.writeShutdownRecord(new ShutdownRecord(currentPosition(), this.databaseFile.size(),
							this.databaseFile.checksum()));
				}

			}
		}
		catch (IOException | SQLException ex) {
			logger.debug("No clean-shutdown record for {}: {}", this.path, ex.getMessage());
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		if (closeable != null) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				// Nothing useful to do while closing.
			}
		}
	}

	/**
	 * Adds a listener.
	 * @param listener the listener
	 */
	public void addListener(DatabaseListener listener) {
		this.listeners.add(listener);
	}

	/**
	 * The current position, once open.
	 * @return the position
	 */
	public Optional<Pos> position() {
		return Optional.ofNullable(this.position);
	}

	/**
	 * The database file.
	 * @return its absolute path
	 */
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
	 * When the engine last checkpointed.
	 * @return the time, or {@code null} before opening
	 */
	public Instant lastCheckpointAt() {
		return this.lastCheckpointAt;
	}

	/**
	 * The size of the database file.
	 * @return bytes, or 0 if it does not exist
	 */
	public long size() {
		return sizeOf(this.path);
	}

	/**
	 * The size of the real WAL.
	 * @return bytes, or 0 if it does not exist
	 */
	public long walSize() {
		return sizeOf(this.walPath);
	}

	private static long sizeOf(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			return 0;
		}
	}

	/**
	 * Receives the database file's bytes for a snapshot.
	 *
	 * @param <T> what it returns
	 */
	@FunctionalInterface
	public interface SnapshotConsumer<T> {

		/**
		 * Consumes the database file.
		 * @param position the position whose index the snapshot starts
		 * @param database the file's bytes
		 * @return a result
		 * @throws IOException if it fails
		 */
		T accept(Pos position, InputStream database) throws IOException;

	}

	/** One of the two checkpoint procedures. */
	@FunctionalInterface
	private interface CheckpointProcedure {

		void run() throws IOException, SQLException;

	}

}
