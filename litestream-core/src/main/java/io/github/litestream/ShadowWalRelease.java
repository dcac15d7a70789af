package io.github.litestream;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides how much of a database's shadow WAL its replicas still need, and deletes the rest.
 */
final class ShadowWalRelease {

	private static final Logger logger = LoggerFactory.getLogger(ShadowWalRelease.class);

	private final Clock clock;

	ShadowWalRelease(Clock clock) {
		this.clock = clock;
	}

	/**
	 * Deletes the shadow WAL that every replica has shipped. A replica without a position
	 * (failing, or before its first sync) holds all of it back, until the shadow WAL passes the
	 * database's {@code max-shadow-wal-size}: then the engine stops keeping WAL for it, and it
	 * restarts from a new snapshot when it comes back. Bounding the disk matters more than a
	 * replica's continuous history.
	 */
	void release(ReplicatedDatabase database, List<Replica> replicas) {
		long lowest = Long.MAX_VALUE;
		List<Replica> holding = new ArrayList<>();
		for (Replica replica : replicas) {
			// Read once: the replica's thread may clear its position at any moment.
			Optional<Pos> position = replica.position();
			if (position.isPresent()) {
				lowest = Math.min(lowest, position.get().index());
			}
			else if (replica.status().walReleasedAt() == null) {
				holding.add(replica);
			}
		}
		try {
			if (!holding.isEmpty()) {
				long max = database.options().maxShadowWalSize();
				long size = database.shadowWalSize();
				if (max == 0 || size <= max) {
					return;
				}
				holding.forEach((replica) -> stopKeepingWal(replica, size, max));
			}
			database.removeShadowWalBefore(lowest);
		}
		catch (IOException ex) {
			logger.debug("Could not remove old shadow WAL of {}: {}", database.path(), ex.getMessage());
		}
	}

	private void stopKeepingWal(Replica replica, long size, long max) {
		if (replica.releaseWal(this.clock.instant())) {
			logger.warn("Replica '{}' ({}) of {} is failing ({}) and its unshipped WAL reached {} bytes, past "
					+ "max-shadow-wal-size ({} bytes): no longer keeping WAL for it. It restarts from a new snapshot "
					+ "when it is reachable again; the changes in between cannot be restored to a point in time from it",
					replica.name(), replica.client().location(), replica.database().path(),
					Objects.toString(replica.status().lastError(), "no successful sync yet"), size, max);
		}
	}

}
