package io.github.litestream.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;

import io.github.litestream.db.EngineConnections.CheckpointResult;
import io.github.litestream.db.LocalState.ShutdownRecord;
import io.github.litestream.replica.Pos;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clean-shutdown record, which keeps deploys cheap: without it, every restart would start a
 * new generation and every replica would upload a full snapshot.
 *
 * <p>
 * At close, after the application's connections are gone, a final FULL checkpoint moves every
 * frame into the database file. If it provably covered exactly the shadow WAL's frames (it
 * reports how many it copied back, and no valid frame follows the shadow's end), the database
 * file now equals the shadow WAL's end state, and its size and checksum are recorded with the
 * position. At the next open the record is taken (it describes one moment, so it is used once);
 * if the database file is unchanged, the generation continues at the next index. Any doubt means
 * no record, and a new generation: the record only ever saves work, never decides correctness.
 * (Kafka's {@code CleanShutdownFileHandler} plays the same part for its logs.)
 */
final class CleanShutdown {

	private static final Logger logger = LoggerFactory.getLogger(CleanShutdown.class);

	private final Path path;

	private final LocalState localState;

	/**
	 * Creates the handler of one database's record.
	 * @param path the database file
	 * @param localState where the record is kept
	 */
	CleanShutdown(Path path, LocalState localState) {
		this.path = path;
		this.localState = localState;
	}

	/**
	 * Takes the record left by the last shutdown and checks that the database file is unchanged
	 * since. Call it while the engine's read transaction is held (see {@link ReplicatedDatabase#open()}).
	 * @param opener opens the engine's descriptor on the database file, only if there is a
	 * record to check
	 * @return the recorded position, if the generation may continue after it
	 * @throws IOException if the record cannot be deleted or the file cannot be read
	 */
	Optional<Pos> take(DatabaseFileOpener opener) throws IOException {
		Optional<ShutdownRecord> record = this.localState.takeShutdownRecord();
		if (record.isEmpty() || !Files.exists(this.path)) {
			return Optional.empty();
		}
		DatabaseFile file = opener.open();
		boolean unchanged = file.size() == record.get().databaseSize()
				&& file.checksum() == record.get().databaseChecksum();
		return unchanged ? Optional.of(record.get().position()) : Optional.empty();
	}

	/**
	 * Runs the final FULL checkpoint and writes the record if it proves the database file equals
	 * the shadow WAL's end state. Never fails: without a record the next start only costs more.
	 * @param tracker the shadow WAL
	 * @param connections the engine's connections, with the read transaction held
	 * @param file the engine's descriptor on the database file
	 */
	void record(GenerationTracker tracker, EngineConnections connections, DatabaseFile file) {
		try {
			try (FileChannel wal = tracker.openWal()) {
				if (tracker.continuityProblem(wal) != null) {
					return;
				}
				tracker.shadow().copyFrom(wal);
			}
			connections.releaseReadLock();
			// FULL (not TRUNCATE) because it reports how many frames it copied back: exactly the
			// shadow's frames means the database file now equals the shadow WAL's end state.
			CheckpointResult result = connections.checkpoint(CheckpointMode.FULL);
			// Read before the WAL is checked: another process that wrote, checkpointed and
			// restarted the WAL meanwhile then shows in the check, not only in the file.
			long size = file.size();
			long checksum = file.checksum();
			try (FileChannel wal = tracker.openWal()) {
				ShadowWal shadow = tracker.shadow();
				// The WAL file may hold stale frames of earlier indexes past its end: "nothing new"
				// means no valid frame follows the shadow's end, not an equal file size.
				if (result.complete() && result.walFrames() == shadow.frameCount() && shadow.headerMatches(wal)
						&& shadow.copyFrom(wal) == 0) {
					this.localState.writeShutdownRecord(new ShutdownRecord(tracker.currentPosition(), size, checksum));
				}
			}
		}
		catch (IOException | SQLException ex) {
			logger.debug("No clean-shutdown record for {}: {}", this.path, ex.getMessage());
		}
	}

	/** Opens the engine's descriptor on the database file. */
	@FunctionalInterface
	interface DatabaseFileOpener {

		DatabaseFile open() throws IOException;

	}

}
