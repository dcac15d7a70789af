package io.github.litestream.replica;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import io.github.litestream.db.ShadowWalMissingException;
import io.github.litestream.db.ShadowWalSegment;

/**
 * Where a replica resumes when it does not know its position (after a restart, or an error):
 * the end of what it stores in the database's generation, once that is proven to be this
 * database's history. If it is not (the disk went back in time, a VM or volume snapshot
 * restored, or another instance continued the generation), this database's next frames would
 * take keys the other history used, or follow its bytes in one index; so the database starts a
 * new generation at its next step.
 */
final class ResumePoint {

	private ResumePoint() {
	}

	/**
	 * Finds where a replica resumes.
	 * @param replica the replica
	 * @param latestSnapshot its newest snapshot of the database's generation
	 * @param local the database's position
	 * @return what the replica stores
	 * @throws IOException if the replica cannot be read, or holds another history (a new
	 * generation is then requested)
	 */
	static ReplicaPositions.Stored of(Replica replica, SnapshotInfo latestSnapshot, Pos local) throws IOException {
		ReplicaPositions.Stored stored = ReplicaPositions.find(replica.client(), local.generation(), latestSnapshot);
		if (stored.end().compareTo(local) > 0) {
			throw forked(replica, "holds generation " + local.generation() + " up to " + stored.end()
					+ ", past this database's " + local + " (its disk went back in time, or another instance "
					+ "continued the generation)");
		}
		if (stored.last() != null && !sameAsLocal(replica, stored.last())) {
			throw forked(replica, "holds other WAL bytes at " + stored.last().start() + " than this database (at "
					+ local + ") has there (its disk went back in time and took other commits, or another "
					+ "instance continued the generation)");
		}
		return stored;
	}

	/**
	 * Whether the replica's newest segment holds the bytes the local shadow WAL has at the same
	 * place. A replica behind the database proves nothing by its position alone: a disk that went
	 * back in time, then took other commits, has the same header and a longer WAL. Unknown (the
	 * local WAL of that index is no longer kept, or the segment could not be decrypted) counts
	 * as the same.
	 */
	private static boolean sameAsLocal(Replica replica, ReplicaPositions.LastSegment last) throws IOException {
		if (last.length() < 0) {
			return true;
		}
		Optional<ShadowWalSegment> local;
		try {
			local = replica.database().pendingWal(last.start());
		}
		catch (ShadowWalMissingException ex) {
			return true;
		}
		if (local.isEmpty() || !local.get().start().equals(last.start()) || local.get().length() < last.length()) {
			return true;
		}
		try (InputStream in = local.get().open()) {
			return ReplicaPositions.matches(last, in);
		}
	}

	private static IOException forked(Replica replica, String what) {
		String reason = "replica '" + replica.name() + "' " + what;
		replica.database().requestNewGeneration(reason);
		return new IOException(reason + "; starting a new generation");
	}

}
