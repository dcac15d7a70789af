package io.github.litestream.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import io.github.litestream.db.EngineConnections.CheckpointResult;
import io.github.litestream.db.ReplicationSource.DatabaseChecksum;
import io.github.litestream.replica.Pos;
import io.github.litestream.sqlite.WalHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs checkpoints without ever letting SQLite restart the WAL behind the engine's back, and
 * without holding up the application.
 *
 * <h2>The size-based checkpoint</h2>
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
 * SQLite restart the WAL under that lock and after the engine's last copy, and commits, and only
 * then fsyncs the shadow WAL; (5) takes the read transaction again and opens the next index.
 * Before (2) releases the lock, once the WAL is empty, the engine takes its read transaction
 * again: it then reads the database file only (SQLite's read slot 0), and no connection's
 * checkpoint can move a frame into the database file while that slot is held (backfilling needs
 * it exclusively). SQLite restarts only a WAL whose every frame is in the database file, so an
 * application write that restarts the WAL between (3) and (4) can only overwrite frames the engine
 * copied in (2): the old index is complete and the generation goes on. Without that guard (the
 * WAL was not emptied under the lock), the old index's tail must still be intact past the new
 * WAL's end and is copied; if that is not provable, or the salts show more than one restart, a
 * new generation starts. The write lock is held for two short moments per checkpoint,
 * during which the engine fsyncs nothing (the checkpoint's own two fsyncs are SQLite's); step (1)
 * keeps them short.
 *
 * <h2>The restart left to the application</h2>
 * Step (4)'s row is a commit: an application transaction that read before it and writes after it
 * fails with {@code SQLITE_BUSY_SNAPSHOT}, which no busy timeout cures. So steps (3) to (5) run
 * only when a new index is needed at once ({@link #checkpoint(CheckpointMode)}: a snapshot, a
 * validation). The checkpoints the policy asks for ({@link #checkpointIfDue()}) stop after (2)
 * once the WAL is empty (or, if only SQLite's RESTART emptied it, after (3) takes the read
 * transaction on it instead of writing), keep the read transaction on slot 0, and leave the
 * restart to the application's next write, which the next capture follows with the next index;
 * so does a failed step (3). {@link RestartFence} says why that is sound.
 *
 * <h2>The time-based checkpoint</h2>
 * It only copies pages into the database file and never restarts the WAL (see
 * {@link #checkpointInPlace()}), so an idle database stays silent.
 *
 * <h2>Readers</h2>
 * A read transaction pins the frames that were in the WAL when it began: SQLite can neither move
 * later frames into the database file nor restart the WAL until it ends. SQLite's RESTART
 * checkpoint waits for such readers while it holds the write lock, so every application writer
 * waits behind it and fails once its busy timeout runs out (Litestream issue 724: an outage).
 * The engine waits for a lock at most {@link ReplicatedDatabase#LOCK_WAIT_BUDGET}. When readers
 * keep step (2) from emptying the WAL, it runs SQLite's RESTART but lets it wait, for the write
 * lock and then for the readers, at most {@link ReplicatedDatabase#READERS_WAIT} and at most once a second
 * ({@link CheckpointPolicy#mayWaitForReaders()}): short read transactions end within that (a
 * steady mix of short reads and writes would otherwise hardly ever let the WAL restart), a long
 * one does not. Then the checkpoint gives up on restarting: the WAL keeps growing, every later
 * sync tries again, and {@link #pinnedWal(Pos)} and
 * {@link DatabaseListener#onCheckpointBlocked(CheckpointMode)} say so.
 *
 * <p>
 * Not thread-safe: the database's monitor lock guards it. The checkpoint lock it is given keeps
 * checkpoints out while a snapshot reads the database file ({@link CheckpointGate}).
 *
 * <p>This class runs step (2) and the time-based checkpoint; {@link Backfill} runs step (1) and
 * {@link WalRestart} steps (3) to (5), once the WAL is empty. The invariants of the whole procedure (who holds which lock
 * when) are described here, in one place.
 */
final class Checkpointer {

	private static final Logger logger = LoggerFactory.getLogger(Checkpointer.class);

	private final String database;

	private final EngineConnections connections;

	private final GenerationTracker tracker;

	private final CheckpointPolicy policy;

	/** Runs a procedure only while no snapshot reads the database, and reports it. */
	private final CheckpointGate gate;

	/** Step (1). */
	private final Backfill backfill;

	/** Frames the last checkpoint copied back when it emptied the WAL, or -1. */
	private long checkpointedFrames = -1;

	/** The header of the index step (2) copied and checkpointed under the write lock. */
	private WalHeader headerUnderLock;

	/** The real WAL's size when step (2) copied it under the write lock. */
	private long walSizeUnderLock;

	/**
	 * Whether the engine's read transaction was taken on the emptied WAL before the write lock
	 * was released, so that nothing written since can reach the database file until (5).
	 */
	private boolean backfillFenced;

	/** Whether step (5) of the last procedure opened the next index. */
	private boolean indexOpened;

	/** Runs between the write lock's release in (2) and step (3); tests write there. */
	private Runnable betweenLocks = () -> {
	};

	/** Runs between step (1) and step (2); tests write there. */
	private Runnable beforeWriteLock = () -> {
	};

	/** Steps (3) to (5), and the record of a WAL that readers pin. */
	private final WalRestart restart;

	/**
	 * Creates a checkpointer. A checkpoint that cannot have {@code checkpointLock} at once (a
	 * snapshot holds it) is skipped, and {@code checkpointHold} records since when.
	 */
	Checkpointer(String database, EngineConnections connections, GenerationTracker tracker, CheckpointPolicy policy,
			ReentrantLock checkpointLock, CheckpointHold checkpointHold, DatabaseFile databaseFile,
			List<DatabaseListener> listeners) {
		this.database = database;
		this.connections = connections;
		this.tracker = tracker;
		this.policy = policy;
		this.gate = new CheckpointGate(database, checkpointLock, checkpointHold, policy, listeners);
		this.backfill = new Backfill(database, connections, tracker, databaseFile);
		this.restart = new WalRestart(database, connections, tracker, policy, listeners);
	}

	/** See {@link Backfill#fenceAtOpen()}: once, right after the tracker resumed. */
	void fenceAtOpen() {
		this.backfill.fenceAtOpen();
	}

	/**
	 * Runs the checkpoint the policy asks for, if any.
	 * @throws IOException if the shadow WAL cannot be written
	 */
	void checkpointIfDue() throws IOException {
		if (this.tracker.restartAwaited()) {
			// Every frame is in the database file: nothing to do until the application's next
			// write restarts the WAL (the next capture then opens the next index).
			return;
		}
		switch (this.policy.due(this.tracker.shadow().frameCount())) {
			case RESTART -> this.gate.run(CheckpointMode.RESTART, () -> runCheckpoint(CheckpointMode.RESTART, false));
			case PASSIVE -> this.gate.run(CheckpointMode.PASSIVE, () -> runCheckpoint(CheckpointMode.PASSIVE, false));
			case IN_PLACE -> checkpointInPlace();
			case NONE -> {
			}
		}
	}

	/**
	 * Runs the size-based checkpoint procedure described in the class documentation, restarting
	 * the WAL at once with a write of the engine's (step (4)) and opening the next index.
	 * @param mode PASSIVE (restart the WAL if no reader pins it), or another mode (wait moments
	 * for such readers)
	 * @throws IOException if the shadow WAL cannot be written
	 */
	void checkpoint(CheckpointMode mode) throws IOException {
		this.gate.run(mode, () -> runCheckpoint(mode, true));
	}

	/**
	 * The time-based checkpoint: moves the committed pages into the database file but leaves the
	 * WAL and the index as they are. The engine first takes its read transaction again, at the
	 * WAL's current end (see {@link Backfill#round()}); a PASSIVE checkpoint can then copy every frame,
	 * while the read mark still keeps SQLite from restarting the WAL. So no bookkeeping write is
	 * needed, no new index begins, and a database that went idle makes no further request to its
	 * replicas (Litestream restarts the WAL here, which ships one more segment). The next
	 * size-based checkpoint restarts the WAL as usual.
	 * @throws IOException if the shadow WAL cannot be written
	 */
	void checkpointInPlace() throws IOException {
		this.gate.run(CheckpointMode.PASSIVE, () -> {
			CheckpointResult result = this.backfill.round();
			logger.debug("Time-based checkpoint of {}: {} of {} WAL frames in the database file", this.database,
					result.checkpointedFrames(), result.walFrames());
			this.policy.framesCheckpointed(this.tracker.shadow().frameCount());
		});
	}

	/**
	 * Runs a RESTART checkpoint that must start a new WAL index, and checksums the database file
	 * right then (see {@link ReplicationSource#checksumAtNewIndex()}).
	 * @param file the engine's descriptor on the database file
	 * @return the checksum and the position of the new index's start
	 * @throws IOException if no new index began (the database was busy) or the file cannot be read
	 */
	DatabaseChecksum checksumAtNewIndex(DatabaseFile file) throws IOException {
		Pos after = startNewIndex("validation");
		// Every engine checkpoint runs under the monitor lock the caller holds, so the file cannot
		// change meanwhile; a snapshot reading it at the same time does not change it either
		// (waiting for the snapshot's lock would stall the monitor for its whole upload).
		return new DatabaseChecksum(new Pos(after.generation(), after.index(), 0), file.checksum());
	}

	/**
	 * Runs a RESTART checkpoint that must start a new WAL index of the same generation.
	 * @param purpose what the index is needed for, for the error
	 * @return the position of the new index's start
	 * @throws IOException if no new index began (the database was busy, or a reader pins the WAL)
	 */
	Pos startNewIndex(String purpose) throws IOException {
		// A restart the application made under the fence is followed first. One it makes during
		// the procedure also opens an index, but the database file may then be past its start:
		// only an index step (5) opened counts.
		this.tracker.copyWal();
		Pos before = this.tracker.currentPosition();
		this.indexOpened = false;
		checkpoint(CheckpointMode.RESTART);
		Pos after = this.tracker.currentPosition();
		if (!this.indexOpened || !after.generation().equals(before.generation())
				|| after.index() != before.index() + 1) {
			throw new IOException("Could not start a new WAL index of " + this.database + " for " + purpose
					+ " (the database was busy); will try again");
		}
		return after;
	}

	/** Forgets what the last checkpoint reported: a new index (or generation) began. */
	void indexStarted() {
		this.backfill.indexStarted();
	}

	/**
	 * Whether size-based checkpoints could not restart the current WAL index because a read
	 * transaction pins it.
	 * @param current the current position
	 * @return the pinned WAL, or empty when the last attempt on this index restarted it or none
	 * failed
	 */
	Optional<PinnedWal> pinnedWal(Pos current) {
		return this.restart.pinnedWal(current);
	}

	/** Sets what runs between the lock's release in (2) and (3), where an application write may restart the WAL. */
	void runBetweenLocks(Runnable action) {
		this.betweenLocks = action;
	}

	/** Sets what runs between (1)'s last copy and (2), where an application write may restart a fenced WAL. */
	void runBeforeWriteLock(Runnable action) {
		this.beforeWriteLock = action;
	}

	/** Sets what runs in every round of (1) before its checkpoint, where an application commits. */
	void runDuringBackfill(Runnable action) {
		this.backfill.runDuringRound(action);
	}

	/**
	 * Steps (1) to (5).
	 * @param restartNow whether to restart an emptied WAL with a write of the engine's (a new index
	 * is needed now) rather than leave the restart to the application's next write
	 */
	private void runCheckpoint(CheckpointMode mode, boolean restartNow) throws IOException, SQLException {
		this.backfill.beforeWriteLock();
		if (this.backfill.pinnedBacklog()) {
			// The lock-free rounds of the next checkpoint move the backlog once the reader ends.
			if (mode.insistsOnRestart()) {
				this.restart.restartBlocked(mode);
			}
			return;
		}
		String broken = null;
		boolean completed = false;
		this.backfillFenced = false;
		try {
			this.beforeWriteLock.run();
			boolean emptied = checkpointUnderWriteLock();
			this.betweenLocks.run();
			if (!emptied && mode.insistsOnRestart() && this.policy.mayWaitForReaders()) {
				// Application readers pinned old frames. SQLite's RESTART waits for them while
				// holding the write lock, with every application writer waiting behind it: it may
				// wait only moments, enough for short read transactions to end. If that emptied
				// the WAL, step (3) fences it (or restarts it), unless an application write
				// restarted it first, which it then checks.
				// TRUNCATE would cut frames the engine has not copied (its read transaction is
				// released here); RESTART empties the WAL just as well, and the next write restarts it.
				CheckpointMode sqliteMode = (mode == CheckpointMode.TRUNCATE) ? CheckpointMode.RESTART : mode;
				CheckpointResult result = this.backfill.record(
						this.connections.checkpoint(sqliteMode, ReplicatedDatabase.READERS_WAIT));
				this.checkpointedFrames = result.complete() ? result.walFrames() : -1;
			}
			if (!this.backfillFenced || restartNow) {
				broken = this.restart.restartUnderWriteLock(this.checkpointedFrames, this.walSizeUnderLock,
						this.backfillFenced, restartNow);
			}
			completed = true;
		}
		finally {
			holdReadLockAfter(completed, restartNow);
		}
		if (!restartNow && this.tracker.restartAwaited()) {
			// Left to the application's next write, which may have restarted the WAL since step
			// (2): then this opens the next index. Either way it syncs the copy before publishing.
			this.restart.restartLeftToApplication();
			this.tracker.copyWal();
			return;
		}
		this.tracker.publishPosition();
		if (broken != null) {
			this.tracker.startGeneration(broken);
			return;
		}
		this.indexOpened = this.restart.openNextIndex(mode, this.headerUnderLock);
	}

	/**
	 * Leaves the engine's read transaction where the rest of the procedure needs it.
	 * @param completed whether steps (2) to (4) ran without an error
	 * @param restartNow whether step (4) was to restart an emptied WAL
	 */
	private void holdReadLockAfter(boolean completed, boolean restartNow) throws IOException, SQLException {
		try {
			if (this.backfillFenced && completed && restartNow) {
				// Held on the emptied WAL since step (2): begin it anew, on the restarted WAL,
				// where it pins the new index as usual.
				this.connections.renewReadLock();
			}
			else if (!this.backfillFenced) {
				// Still held at the WAL's end if step (2) failed early: keep it there, so that
				// no application write restarts the WAL behind the engine.
				this.connections.acquireReadLock();
			}
			// Otherwise the fence stays (RestartFence), even after a failed step (3).
		}
		finally {
			if (!completed) {
				// A step failed (say, a lock not had within the budget) after pages reached the
				// database file: copy and publish their frames while the checkpoint lock is
				// still held, since a snapshot pairs the file with the published position.
				this.tracker.copyWal();
			}
		}
	}

	/**
	 * Step (2): copies the last frames and runs a PASSIVE checkpoint while holding the write lock,
	 * so that no application write can slip in between: under a steady write load this is what
	 * lets a checkpoint ever complete. The copy is not fsynced here but after step (4) (see
	 * there): an fsync under the lock made every application commit wait for the disk, and one
	 * between the steps would give an application write that restarts the WAL time to overwrite
	 * more of it than step (4) can prove harmless.
	 * @return whether every frame of the WAL is now in the database file
	 */
	private boolean checkpointUnderWriteLock() throws IOException, SQLException {
		this.connections.beginWrite();
		try {
			try (FileChannel wal = this.tracker.openWal()) {
				// A restart the application made under the fence since the last copy is followed
				// while the fence still proves it (fsyncs under the lock, but only then).
				this.tracker.followWal(wal);
				// Released only now: under the write lock nobody can restart the WAL meanwhile.
				this.connections.releaseReadLock();
				this.tracker.shadow().copyWithoutSync(wal);
				this.walSizeUnderLock = wal.size();
				this.headerUnderLock = this.tracker.shadow().header();
			}
			CheckpointResult result = this.backfill.record(this.connections.checkpointOnReader(CheckpointMode.PASSIVE));
			this.checkpointedFrames = result.complete() ? result.walFrames() : -1;
			if (!isFullyCheckpointed()) {
				return false;
			}
			// Still under the lock, so nothing was appended since the checkpoint emptied the WAL.
			this.connections.acquireReadLock();
			this.tracker.fenceRestart();
			this.backfillFenced = true;
			return true;
		}
		finally {
			this.connections.endWrite(false);
		}
	}

	private boolean isFullyCheckpointed() {
		return this.checkpointedFrames >= 0 && this.checkpointedFrames == this.tracker.shadow().frameCount();
	}

}
