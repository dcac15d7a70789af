package io.github.litestream.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.github.litestream.replica.Pos;
import io.github.litestream.sqlite.WalFrameHeader;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps (3) to (5) of the size-based checkpoint ({@link Checkpointer} explains the whole
 * procedure): once step (2) moved every frame into the database file, restarts the WAL with one
 * write of the engine's own under its write lock and opens the next index; proves the old index
 * complete when another connection restarted the WAL first, or says why it cannot; and remembers
 * since when readers keep the WAL from restarting ({@link #pinnedWal(Pos)}).
 *
 * <p>Not thread-safe: the database's monitor lock guards it, as it guards the checkpointer.
 */
final class WalRestart {

	private static final Logger logger = LoggerFactory.getLogger(WalRestart.class);

	private final String database;

	private final EngineConnections connections;

	private final GenerationTracker tracker;

	private final CheckpointPolicy policy;

	private final List<DatabaseListener> listeners;

	/** The last time a checkpoint could not restart the WAL because readers pin it, or null. */
	private volatile PinnedWal pinnedWal;

	WalRestart(String database, EngineConnections connections, GenerationTracker tracker, CheckpointPolicy policy,
			List<DatabaseListener> listeners) {
		this.database = database;
		this.connections = connections;
		this.tracker = tracker;
		this.policy = policy;
		this.listeners = listeners;
	}

	/**
	 * Whether size-based checkpoints could not restart the current WAL index because a read
	 * transaction pins it.
	 * @param current the current position
	 * @return the pinned WAL, or empty when the last attempt on this index restarted it or none
	 * failed
	 */
	Optional<PinnedWal> pinnedWal(Pos current) {
		PinnedWal pinned = this.pinnedWal;
		if (pinned == null || current == null || !pinned.position().generation().equals(current.generation())
				|| pinned.position().index() != current.index()) {
			return Optional.empty();
		}
		return Optional.of(pinned);
	}

	/**
	 * Steps (3) and (4): takes the write lock again and, if the WAL is still exactly what was
	 * checkpointed, either writes one row, so SQLite restarts the WAL under this lock and after the
	 * engine's last copy, or begins the engine's read transaction there, setting the
	 * {@link RestartFence} so that the application's next write restarts it.
	 * @param checkpointedFrames the frames step (2) moved into the database file when that
	 * emptied the WAL, or -1
	 * @param walSizeUnderLock the real WAL's size when step (2) copied it
	 * @param fenced whether the engine's read transaction has held read slot 0 since step (2)
	 * emptied the WAL (see {@link Checkpointer})
	 * @param restartNow whether to restart an emptied WAL with the engine's write (a new index is
	 * needed now) rather than fence it; only when not fenced already
	 * @return why continuity is lost, or {@code null}
	 */
	String restartUnderWriteLock(long checkpointedFrames, long walSizeUnderLock, boolean fenced, boolean restartNow)
			throws IOException, SQLException {
		// Giving up here, after step (2) emptied the WAL, would let the application's next write
		// restart it with no way to prove the old index complete: a new generation, and a full
		// snapshot upload, whenever an application transaction holds the lock for a moment.
		this.connections.beginWriteWaitingLonger();
		boolean commit = false;
		try (FileChannel wal = this.tracker.openWal()) {
			ShadowWal shadow = this.tracker.shadow();
			if (wal.size() < WalHeader.SIZE) {
				return "the WAL was truncated by another connection during a checkpoint";
			}
			if (!shadow.headerMatches(wal)) {
				// Fenced, nothing written after step (2) could reach the database file, and SQLite
				// restarts only a WAL whose frames all did: this restart overwrote copied frames only.
				return fenced ? null : copyTailAfterForeignRestart(wal, walSizeUnderLock);
			}
			// The fsync of this copy and of step (2)'s waits until the lock is released. Should the
			// machine lose power before it, the shadow WAL is torn where the restarted WAL no
			// longer matches it, and the next start begins a new generation: nothing is lost
			// (the checkpoint synced the database file), and nothing unsynced was published.
			shadow.copyWithoutSync(wal);
			// If the checkpoint emptied the WAL, this write restarts it, under our lock and after
			// our last copy; otherwise it is not needed.
			if (checkpointedFrames >= 0 && checkpointedFrames == shadow.frameCount()) {
				if (restartNow) {
					this.connections.bumpSequenceInTransaction();
					commit = true;
				}
				else {
					// Begun anew on the emptied WAL (released since step (2)): it reads the
					// database file only.
					this.connections.renewReadLock();
					this.tracker.fenceRestart();
				}
			}
			return null;
		}
		finally {
			try {
				this.connections.endWrite(commit);
			}
			finally {
				this.tracker.shadow().sync();
			}
		}
	}

	/**
	 * Step (5): opens the next index if the WAL restarted exactly once, and reports when readers
	 * kept it from restarting.
	 * @return whether it opened the next index
	 */
	boolean openNextIndex(CheckpointMode mode, WalHeader before) throws IOException {
		try (FileChannel wal = this.tracker.openWal()) {
			if (this.tracker.shadow().headerMatches(wal)) {
				if (mode.insistsOnRestart()) {
					restartBlocked(mode);
				}
				return false;
			}
			WalHeader after = WalScanner.readHeader(wal);
			if (after.salt1() != before.salt1() + 1) {
				this.tracker.startGeneration("the WAL restarted more than once before its frames were copied");
				return false;
			}
			this.tracker.startIndex(wal, this.tracker.shadow().index() + 1);
			return true;
		}
	}

	/**
	 * A checkpoint emptied the WAL and left its restart to the application's next write (see
	 * {@link RestartFence}): no reader pins it.
	 */
	void restartLeftToApplication() {
		this.pinnedWal = null;
	}

	/**
	 * A checkpoint moved what it could but the WAL did not restart: a read transaction pins
	 * frames (the WAL could not be emptied) or a read mark (SQLite could not restart an empty
	 * WAL). The next sync tries again; meanwhile the WAL grows.
	 */
	void restartBlocked(CheckpointMode mode) {
		PinnedWal previous = pinnedWal(this.tracker.position()).orElse(null);
		Instant since = (previous != null) ? previous.since() : this.policy.now();
		long frames = this.tracker.shadow().frameCount();
		this.pinnedWal = new PinnedWal(this.tracker.currentPosition(), since, frames);
		if (previous == null) {
			logger.info("Checkpoint {} of {} could not restart the WAL ({} pages): a read transaction pins it; "
					+ "trying again at every sync", mode, this.database, frames);
		}
		this.listeners.forEach((listener) -> listener.onCheckpointBlocked(mode));
	}

	/**
	 * Another connection restarted the WAL after step (2), which could not empty it. The old
	 * index's frames past the last copy may still be on disk past the new WAL's end: copy them,
	 * and prove that nothing committed to the old WAL was lost.
	 * @return why continuity is lost, or {@code null} if the old index is complete
	 */
	private String copyTailAfterForeignRestart(FileChannel wal, long walSizeUnderLock) throws IOException {
		ShadowWal shadow = this.tracker.shadow();
		if (wal.size() < walSizeUnderLock) {
			// Truncated (TRUNCATE, journal_size_limit): frames committed after step (2) may be
			// gone without a trace, so the old index cannot be proven complete.
			return "the WAL was truncated and restarted by another connection during a checkpoint";
		}
		shadow.copyWithoutSync(wal);
		return frameAfterOldIndex(wal, shadow, WalScanner.readHeader(wal));
	}

	/**
	 * The copy stopped at the old index's last commit. Whatever follows there tells whether the
	 * old WAL went on: nothing, or a stale frame of an older WAL (other salts), means it ended
	 * here; a frame of the new WAL means the restart overwrote this place, and what the old WAL
	 * held here is unknown (even if the new WAL's valid frames end earlier: a rolled-back
	 * transaction spills frames too); a frame of the old WAL without a commit after it is a
	 * transaction rolled back, or one whose end journal_size_limit cut off, which cannot be told
	 * apart. (A WAL cut by journal_size_limit exactly at the old index's end looks like one that
	 * ended there; that takes a limit of exactly that many bytes.)
	 * @return why continuity is lost, or {@code null} if the old index is complete
	 */
	private static String frameAfterOldIndex(FileChannel wal, ShadowWal shadow, WalHeader current)
			throws IOException {
		long end = shadow.size();
		long left = wal.size() - end;
		if (left == 0) {
			return null;
		}
		if (left < WalFrameHeader.SIZE) {
			return "the WAL was cut inside a frame and restarted by another connection during a checkpoint";
		}
		WalFrameHeader next = WalScanner.readFrameHeader(wal, end);
		if (current.saltsMatch(next)) {
			return "the WAL was restarted and overwritten before its last frames were copied";
		}
		if (shadow.header().saltsMatch(next)) {
			return "the WAL was restarted by another connection after frames without a commit "
					+ "(rolled back, or cut by journal_size_limit)";
		}
		return null;
	}

}
