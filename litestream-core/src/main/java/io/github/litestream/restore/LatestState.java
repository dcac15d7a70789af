package io.github.litestream.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.WalSegmentInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ReplicaFollower}'s full restore: the replica's latest state in a temporary file next
 * to the database, and the WAL of its last index, from which following continues. Installing it
 * replaces the database atomically.
 */
final class LatestState {

	private static final Logger logger = LoggerFactory.getLogger(LatestState.class);

	private final Path temporary;

	private final FollowedWal wal;

	private LatestState(Path temporary, FollowedWal wal) {
		this.temporary = temporary;
		this.wal = wal;
	}

	/**
	 * Restores the latest state of a replica into a temporary file.
	 * @param client the replica
	 * @param database the follower's database, which the state replaces once installed
	 * @param parallelism how many objects to fetch at once
	 * @param reason why, for the log
	 * @return the state, or empty if the replica holds no backup yet
	 * @throws IOException if the restore fails
	 */
	static Optional<LatestState> restore(ReplicaClient client, Path database, int parallelism, String reason)
			throws IOException {
		Path temporary = database.resolveSibling(LeftoverRestoreFiles.prefix(database) + "follow.db");
		Path lastWal = database.resolveSibling(LeftoverRestoreFiles.prefix(database) + "follow-last.wal");
		Files.deleteIfExists(temporary);
		Optional<RestorePlan> planned = new RestorePlanner(client)
			.plan(RestoreOptions.latest(temporary).withParallelism(parallelism));
		if (planned.isEmpty()) {
			logger.debug("{} holds no backup yet; the follower of {} waits for one", client.location(), database);
			return Optional.empty();
		}
		RestorePlan plan = planned.get();
		logger.info("Following {} into {}: restoring {} ({})", client.location(), database, plan, reason);
		new RestoreExecutor(client, plan, temporary, parallelism, lastWal).execute();
		if (!Files.exists(lastWal)) {
			// A snapshot alone: its index's WAL starts with the next segment.
			long index = plan.snapshot().index();
			return Optional.of(new LatestState(temporary, FollowedWal.start(workFile(database, index),
					plan.generation(), index)));
		}
		Path work = workFile(database, plan.targetIndex());
		Files.move(lastWal, work, StandardCopyOption.REPLACE_EXISTING);
		List<WalSegmentInfo> last = plan.walIndexes().get(plan.walIndexes().size() - 1).segments();
		return Optional.of(new LatestState(temporary,
				FollowedWal.restored(work, plan.generation(), plan.targetIndex(), last.get(last.size() - 1))));
	}

	/**
	 * Puts the state in place of the database. Call it with the follower's apply lock held.
	 * @param database the follower's database
	 * @throws IOException if the file cannot be moved
	 */
	void install(Path database) throws IOException {
		for (String suffix : List.of("-wal", "-shm", "-journal")) {
			// SQLite would replay a stale WAL (or play a hot journal back) into the new file.
			Files.deleteIfExists(database.resolveSibling(database.getFileName() + suffix));
		}
		Files.move(this.temporary, database, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
	}

	/**
	 * The WAL of the restored state's last index.
	 * @return the WAL, to follow on from
	 */
	FollowedWal wal() {
		return this.wal;
	}

	/**
	 * The follower's WAL of an index, named so that a later restore removes it as a leftover.
	 * @param database the follower's database
	 * @param index the WAL index
	 * @return the file
	 */
	static Path workFile(Path database, long index) {
		return database.resolveSibling(LeftoverRestoreFiles.prefix(database) + "follow-" + Pos.hex(index) + ".wal");
	}

}
