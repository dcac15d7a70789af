package io.github.litestream.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.sql.SQLException;
import java.time.Duration;

import io.github.litestream.db.EngineConnections.CheckpointResult;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step (1) of the size-based checkpoint ({@link Checkpointer} explains the whole procedure):
 * moves committed pages into the database file without any lock the application waits for, so
 * that little is left for the step under the write lock. Also the time-based checkpoint's one
 * round, and the record of how far the database file has caught up with the WAL.
 *
 * <p>Not thread-safe: the database's monitor lock guards it, as it guards the checkpointer.
 */
final class Backfill {

	private static final Logger logger = LoggerFactory.getLogger(Backfill.class);

	/** At most this many checkpoints run before the one under the write lock (twice, see below). */
	static final int ROUNDS = 4;

	/** New frames (4 MiB of 4 KiB pages) few enough to checkpoint under the write lock. */
	static final long ENOUGH_FRAMES = 1024;

	private final String database;

	private final EngineConnections connections;

	private final GenerationTracker tracker;

	private final DatabaseFile databaseFile;

	/**
	 * Frames of the current WAL that the engine's last checkpoint reported in the database file
	 * ({@code Long.MAX_VALUE} if it could not tell).
	 */
	private long backfilledFrames;

	/** What the last round's checkpoint reported, or {@code null} before the first. */
	private @Nullable CheckpointResult lastRound;

	/**
	 * Frames of the current WAL that were committed before the engine's read transaction began,
	 * so that it sees them: a checkpoint can stop short of these only for another reader. Frames
	 * past them may be held back by the engine's own read transaction, as they are whenever the
	 * application commits during a round.
	 */
	private long framesBeforeReadLock;

	/** Runs in every round between taking the read transaction again and checkpointing; tests write there. */
	private Runnable duringRound = () -> {
	};

	Backfill(String database, EngineConnections connections, GenerationTracker tracker, DatabaseFile databaseFile) {
		this.database = database;
		this.connections = connections;
		this.tracker = tracker;
		this.databaseFile = databaseFile;
	}

	/**
	 * One round: copies the new frames, takes the read transaction again at the WAL's current end
	 * (unless the WAL may be fully checkpointed already, see below) and runs a PASSIVE checkpoint,
	 * which application writes do not wait for and which cannot restart the WAL while the read
	 * transaction is held.
	 * @return SQLite's answer
	 */
	CheckpointResult round() throws IOException, SQLException {
		try (FileChannel wal = this.tracker.openWal()) {
			this.tracker.followWal(wal);
			ShadowWal shadow = this.tracker.shadow();
			shadow.copyWithoutSync(wal);
			// Without the read transaction, the next application write restarts a WAL whose
			// every frame is in the database file. Frames past the backfilled ones rule that out.
			if (shadow.frameCount() > this.backfilledFrames) {
				long copied = shadow.frameCount();
				this.connections.releaseReadLock();
				this.connections.acquireReadLock();
				this.framesBeforeReadLock = copied;
				shadow.copyWithoutSync(wal);
			}
			// One fsync for both copies: nothing can restart the WAL in between.
			shadow.sync();
		}
		this.duringRound.run();
		this.tracker.publishPosition();
		this.lastRound = record(this.connections.checkpoint(CheckpointMode.PASSIVE));
		return this.lastRound;
	}

	/**
	 * At open, right after the tracker resumed: sets the {@link RestartFence} if the engine's read
	 * transaction reads the database file only (SQLite's read slot 0) and the WAL is fully
	 * checkpointed and holds exactly the shadow WAL's frames. A previous run's final checkpoint (or
	 * another connection's) may have left it so, and a connection that stayed open kept SQLite from
	 * deleting it: the application's next write restarts it, which without the fence looked like
	 * another process replacing the WAL and began a new generation. {@link RestartFence} says why
	 * the fence holds then.
	 *
	 * <p>Usually the read transaction holds a read mark at the WAL's end instead (the WAL had frames
	 * the database file lacked when it began): nothing restarts the WAL while it lasts, and no fence
	 * is set, so the checkpoints go on as usual. Which of the two it holds shows nowhere but in
	 * SQLite's shared memory, so a RESTART checkpoint that waits for nothing asks: it succeeds only
	 * if no connection reads the WAL through a read mark, the engine's included. After the PASSIVE
	 * one it has nothing left to write, and it holds the write lock for a moment only; if that lock
	 * or any reader is busy, no fence is set (as before this check existed).
	 */
	void fenceAtOpen() {
		long frames = this.tracker.shadow().frameCount();
		try {
			// Moves nothing if the WAL is fully checkpointed already; noted, so that the rounds do
			// not end the fenced read transaction while nothing is left to move.
			CheckpointResult checkpoint = record(this.connections.checkpoint(CheckpointMode.PASSIVE));
			if (!checkpoint.complete() || checkpoint.walFrames() != frames) {
				return;
			}
			CheckpointResult readers = this.connections.checkpoint(CheckpointMode.RESTART, Duration.ZERO);
			if (!readers.complete() || readers.walFrames() != frames) {
				return;
			}
		}
		catch (SQLException ex) {
			logger.debug("Not fencing the WAL of {} at open: {}", this.database, ex.getMessage());
			return;
		}
		try (FileChannel wal = this.tracker.openWal()) {
			// A restart since the copy (which could have cut it short) shows in the header.
			if (this.tracker.continuityProblem(wal) == null) {
				this.tracker.fenceRestart();
			}
		}
		catch (IOException ex) {
			// The fence is an optimisation of the start: the monitor reports a WAL it cannot read.
			logger.debug("Not fencing the WAL of {} at open: {}", this.database, ex.toString());
		}
	}

	/**
	 * Whether a read transaction kept more than {@link #ENOUGH_FRAMES} out of the database file
	 * in the last round. Under the write lock they would either still be pinned (nothing
	 * gained), or, if the reader ended meanwhile, all be written and synced while every
	 * application writer waits.
	 * @return {@code true} if the step under the write lock should wait for the next checkpoint
	 */
	boolean pinnedBacklog() {
		CheckpointResult last = this.lastRound;
		// Only frames the engine's read transaction lets through count: those an application
		// committed during the round are held back by that transaction itself. Counting them made
		// a writer faster than the rounds look like a long reader: the checkpoint gave up, the WAL
		// grew, the next rounds took longer (one index of 900 MB, and no shipping while they ran).
		return last != null && !last.complete() && last.checkpointedFrames() >= 0
				&& Math.min(last.walFrames(), this.framesBeforeReadLock) - last.checkpointedFrames() > ENOUGH_FRAMES;
	}

	/**
	 * Backfills until the frames written meanwhile are few, so that what remains for the write
	 * lock (syncing the WAL, writing and syncing pages) is short. A writer faster than the disk
	 * can keep ahead; the rounds are capped and the locked step then does the rest. Unless a
	 * round reached the WAL's end (SQLite then synced the database file itself), the WAL and the
	 * rounds' pages are forced to disk and the rounds run once more: SQLite's checkpoint under
	 * the lock syncs both files again (its guarantee against power loss, kept) but then finds
	 * little left to write, where that fsync used to write back every round's pages while the
	 * application's commits waited (a step-(2) hold of 60–180 ms became 10–12 ms, median, in the
	 * write benchmark).
	 */
	void beforeWriteLock() throws IOException, SQLException {
		if (rounds()) {
			return;
		}
		try (FileChannel wal = this.tracker.openWal()) {
			wal.force(false);
			this.databaseFile.force();
		}
		catch (IOException ex) {
			// Only makes SQLite's own fsyncs under the lock cheaper; they still run.
			logger.debug("Could not force {} to disk before a checkpoint: {}", this.database, ex.getMessage());
		}
		rounds();
	}

	/**
	 * Notes how far a checkpoint got.
	 * @param result SQLite's answer to a checkpoint of the current WAL
	 * @return the same answer
	 */
	CheckpointResult record(CheckpointResult result) {
		// Unknown (another connection held the checkpoint lock) counts as everything: the read
		// transaction then stays where it is until the step under the write lock.
		this.backfilledFrames = (result.checkpointedFrames() >= 0) ? result.checkpointedFrames() : Long.MAX_VALUE;
		return result;
	}

	/** Forgets what the last checkpoint reported: a new index (or generation) began. */
	void indexStarted() {
		this.backfilledFrames = 0;
		this.framesBeforeReadLock = 0;
	}

	/**
	 * Sets what runs in every round after the read transaction was taken again, before the
	 * checkpoint: where an application commits while the engine syncs the shadow WAL.
	 * @param action what an application does there, in a test
	 */
	void runDuringRound(Runnable action) {
		this.duringRound = action;
	}

	/**
	 * Up to {@link #ROUNDS} rounds, until few frames arrived during one: a round that reached the
	 * WAL's end may still have taken long (SQLite then syncs the whole database file), and what
	 * arrived meanwhile is what the step under the lock would have to handle.
	 * @return whether the last round reached the WAL's end and nothing arrived since, so that
	 * SQLite synced the database file with nothing left to write
	 */
	private boolean rounds() throws IOException, SQLException {
		for (int round = 0; round < ROUNDS; round++) {
			CheckpointResult result = round();
			long checkpointed = this.tracker.shadow().frameCount();
			try (FileChannel wal = this.tracker.openWal()) {
				// The read transaction taken in the round keeps the WAL from restarting meanwhile.
				this.tracker.shadow().copyWithoutSync(wal);
			}
			long arrived = this.tracker.shadow().frameCount() - checkpointed;
			if (arrived <= ENOUGH_FRAMES) {
				return result.complete() && arrived == 0;
			}
		}
		return false;
	}

}
