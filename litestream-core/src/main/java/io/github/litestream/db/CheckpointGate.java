package io.github.litestream.db;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a {@link Checkpointer} procedure run only while no snapshot reads the database file, and
 * says how it went. A snapshot pairs the file's bytes with the published position, so a
 * checkpoint that moved pages into the file meanwhile would pair them wrongly; waiting for the
 * snapshot instead would stall the monitor for its whole upload. So a checkpoint that cannot have
 * the checkpoint lock at once is skipped (the next monitor step asks again) and
 * {@link CheckpointHold} records since when. A procedure that ran restarts the policy's interval
 * and is reported to the listeners with its duration; one that SQLite refused (busy or locked:
 * the application is writing) is reported as an error, and the next step tries again.
 *
 * <p>Not thread-safe: the database's monitor lock guards it, as it guards the checkpointer.
 */
final class CheckpointGate {

	// The checkpointer's category, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(Checkpointer.class);

	private final String database;

	private final ReentrantLock checkpointLock;

	private final CheckpointHold checkpointHold;

	private final CheckpointPolicy policy;

	private final List<DatabaseListener> listeners;

	/**
	 * Creates a gate.
	 * @param database the database, for the log
	 * @param checkpointLock the lock a snapshot holds while it reads the database file
	 * @param checkpointHold the record of checkpoints a snapshot held back
	 * @param policy the policy, told of every checkpoint that ran
	 * @param listeners told how every checkpoint that had the lock went
	 */
	CheckpointGate(String database, ReentrantLock checkpointLock, CheckpointHold checkpointHold,
			CheckpointPolicy policy, List<DatabaseListener> listeners) {
		this.database = database;
		this.checkpointLock = checkpointLock;
		this.checkpointHold = checkpointHold;
		this.policy = policy;
		this.listeners = listeners;
	}

	/**
	 * Runs a checkpoint procedure unless a snapshot is reading the database, and tells the
	 * listeners how it went.
	 * @param mode the mode to report
	 * @param procedure the procedure
	 * @throws IOException if the procedure fails to write the shadow WAL
	 */
	void run(CheckpointMode mode, Procedure procedure) throws IOException {
		if (!this.checkpointLock.tryLock()) {
			logger.debug("Skipping checkpoint of {}: a snapshot is reading the database", this.database);
			this.checkpointHold.held();
			return;
		}
		// Whatever held checkpoints back has ended (its own release may not have run yet).
		this.checkpointHold.released();
		long started = System.nanoTime();
		try {
			procedure.run();
			this.policy.checkpointed();
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			this.listeners.forEach((listener) -> listener.onCheckpoint(mode, took));
		}
		catch (SQLException ex) {
			logger.debug("Checkpoint {} of {} did not run: {}", mode, this.database, ex.getMessage());
			this.listeners.forEach((listener) -> listener.onCheckpointError(mode, ex));
		}
		finally {
			this.checkpointLock.unlock();
		}
	}

	/** One of the checkpoint procedures. */
	@FunctionalInterface
	interface Procedure {

		void run() throws IOException, SQLException;

	}

}
