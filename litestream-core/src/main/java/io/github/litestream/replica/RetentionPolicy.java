package io.github.litestream.replica;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;


/**
 * Deletes snapshots and WAL older than the retention period, never what the newest restorable
 * point needs: in the current generation the newest snapshot is always kept (even when it is
 * older than the cut-off, as happens while the database is idle), together with every WAL
 * segment from its index on. Other generations go entirely once none of their snapshots is
 * recent.
 */
final class RetentionPolicy {

	private final ReplicaClient client;

	private final Instant cutoff;

	RetentionPolicy(ReplicaClient client, Instant cutoff) {
		this.client = client;
		this.cutoff = cutoff;
	}

	/**
	 * Applies the policy.
	 * @param current the generation being written
	 * @param catalog updated with what remains of the current generation
	 * @return how many objects were deleted
	 * @throws IOException if listing or deleting fails
	 */
	int enforce(String current, SnapshotCatalog catalog) throws IOException {
		int deleted = 0;
		for (String generation : this.client.generations()) {
			List<SnapshotInfo> snapshots = this.client.snapshots(generation);
			List<SnapshotInfo> retained = snapshots.stream()
				.filter((snapshot) -> !snapshot.createdAt().isBefore(this.cutoff))
				.toList();
			if (generation.equals(current)) {
				if (retained.isEmpty() && !snapshots.isEmpty()) {
					retained = List.of(snapshots.get(snapshots.size() - 1));
				}
				deleted += trim(generation, snapshots, retained);
				catalog.replace(generation, retained);
			}
			else if (retained.isEmpty()) {
				this.client.deleteGeneration(generation);
				deleted++;
			}
			else {
				deleted += trim(generation, snapshots, retained);
			}
		}
		return deleted;
	}

	private int trim(String generation, List<SnapshotInfo> snapshots, List<SnapshotInfo> retained) throws IOException {
		if (retained.isEmpty()) {
			return 0;
		}
		long keepFrom = retained.stream().mapToLong(SnapshotInfo::index).min().getAsLong();
		int deleted = 0;
		for (SnapshotInfo snapshot : snapshots) {
			if (snapshot.index() < keepFrom) {
				this.client.deleteSnapshot(generation, snapshot.index());
				deleted++;
			}
		}
		List<Pos> oldWal = new ArrayList<>();
		for (WalSegmentInfo segment : this.client.walSegments(generation)) {
			if (segment.index() < keepFrom) {
				oldWal.add(segment.pos());
			}
		}
		if (!oldWal.isEmpty()) {
			this.client.deleteWalSegments(oldWal);
		}
		return deleted + oldWal.size();
	}

}
