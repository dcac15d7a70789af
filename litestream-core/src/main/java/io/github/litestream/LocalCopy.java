package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.github.litestream.db.FollowerCopyMark;
import io.github.litestream.db.GenerationContinuation;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.restore.NewestBackup;
import io.github.litestream.restore.RestorePlanner;

/**
 * What a database file found on disk is worth next to its replica, for an instance that may
 * either keep it or restore the replica's state instead (a standby that restarts): the only
 * copy there is, a copy at the end of the replica's newest generation, or a stale one that the
 * replica has moved past. Only listings are read.
 */
public enum LocalCopy {

	/** The replica holds no backup: the file is the only copy of the database. */
	ONLY_COPY,

	/**
	 * The file ended where the replica's newest generation still ends (its engine stopped
	 * cleanly, or it was restored or followed to that point): continuing from it loses nothing.
	 */
	CURRENT,

	/**
	 * The replica holds more than the file, or continuity cannot be proven (no record of where
	 * the file ended, or a follower's copy that was not handed over): the replica's state is the
	 * truth.
	 */
	STALE,

	/** There is no file. */
	MISSING;

	/**
	 * Compares a database file with a replica.
	 * @param database the database file
	 * @param replica the replica
	 * @return what the file is worth
	 * @throws IOException if the replica cannot be listed or the record cannot be read
	 */
	public static LocalCopy of(Path database, ReplicaClient replica) throws IOException {
		if (!Files.exists(database)) {
			return MISSING;
		}
		if (FollowerCopyMark.writer(database).isPresent()) {
			// A follower's copy that was never handed over may be torn, whatever the replica holds.
			return STALE;
		}
		Optional<NewestBackup> newest = new RestorePlanner(replica).newestBackup();
		if (newest.isEmpty()) {
			return ONLY_COPY;
		}
		Optional<Pos> recorded = GenerationContinuation.recorded(database);
		if (recorded.isEmpty() || !recorded.get().generation().equals(newest.get().generation())) {
			return STALE;
		}
		return (ContinuationCheck.movedOn(replica, recorded.get()) == null) ? CURRENT : STALE;
	}

}
