package io.github.litestream;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import io.github.litestream.db.GenerationContinuation;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * Before a database opens, checks that the generation it is to continue (after a restore, a
 * follower's takeover or a clean shutdown) has not moved on in any replica since.
 *
 * <p>Continuing generation {@code G} after position {@code (G, N, offset)} means writing index
 * {@code N+1} of {@code G}. If another writer stored anything in {@code G} at or after that
 * position meanwhile (a segment of {@code N} from {@code offset} on, a later index, a later
 * snapshot), the two histories would share object keys and a restore would mix them; so the
 * record is dropped and the engine starts a new generation. The same happens when a replica
 * cannot be listed: continuity that cannot be proven is not assumed. Replicas that lag behind
 * the position, or lack the generation, are fine: they catch up with segments from the local
 * WAL or with a snapshot, as after any start. Only listings are read: no object is downloaded.
 *
 * <p>This narrows the window in which a second writer can fork the generation to the moments
 * between this check and the first upload; closing it is the lease's job.
 */
final class ContinuationCheck {

	private ContinuationCheck() {
	}

	/**
	 * Drops a database's continuation record if a replica's generation moved past it.
	 * @param database the database, not open yet
	 * @param replicas its replicas
	 * @throws IOException if the record cannot be read or dropped
	 */
	static void run(ReplicatedDatabase database, List<Replica> replicas) throws IOException {
		run(database, replicas, () -> true);
	}

	/**
	 * Drops a database's continuation record as {@link #run(ReplicatedDatabase, List)} does, while
	 * it is still registered: one unregistered meanwhile (during an engine's start) is left as it
	 * is, since its removal closes its replicas' clients (a listing would fail, and the record be
	 * dropped for nothing) and its next registration checks it again.
	 * @param stillRegistered whether the database is still registered
	 */
	static void run(ReplicatedDatabase database, List<Replica> replicas, BooleanSupplier stillRegistered)
			throws IOException {
		Optional<Pos> recorded = GenerationContinuation.recorded(database.path());
		if (recorded.isEmpty()) {
			return;
		}
		for (Replica replica : replicas) {
			if (!stillRegistered.getAsBoolean()) {
				return;
			}
			String problem;
			try {
				problem = movedOn(replica.client(), recorded.get());
			}
			catch (IOException | RuntimeException ex) {
				problem = "replica '" + replica.name() + "' could not be listed to prove that generation "
						+ recorded.get().generation() + " did not move on (" + ex.getMessage() + ")";
			}
			if (problem != null && !stillRegistered.getAsBoolean()) {
				// Its clients were closed under the listing: the failure says nothing of the replica.
				return;
			}
			if (problem != null) {
				GenerationContinuation.discard(database.path(), problem.startsWith("replica '") ? problem
						: "replica '" + replica.name() + "' " + problem);
				return;
			}
		}
	}

	/**
	 * What the replica stored in the generation at or after the position, or {@code null}.
	 */
	static String movedOn(ReplicaClient client, Pos end) throws IOException {
		for (SnapshotInfo snapshot : client.snapshots(end.generation())) {
			if (snapshot.index() > end.index()) {
				return "holds snapshot " + Pos.hex(snapshot.index()) + " of generation " + end.generation()
						+ ", written after " + end + " by another writer";
			}
		}
		for (WalSegmentInfo segment : client.walSegments(end.generation())) {
			if (segment.index() > end.index() || (segment.index() == end.index() && segment.offset() >= end.offset())) {
				return "holds WAL segment " + segment.pos() + " of generation " + end.generation() + ", written after "
						+ end + " by another writer";
			}
		}
		return null;
	}

}
