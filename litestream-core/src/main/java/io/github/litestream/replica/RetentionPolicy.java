package io.github.litestream.replica;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Deletes snapshots and WAL older than the retention period, never what the newest restorable
 * point needs: in the current generation the newest snapshot is always kept (even when it is
 * older than the cut-off, as happens while the database is idle), together with every WAL
 * segment from its index on. Other generations go entirely once none of their objects (snapshots
 * and WAL segments) is recent: one still written to within the period is another writer's
 * history, which no later generation may hold.
 */
final class RetentionPolicy {

	private static final Logger logger = LoggerFactory.getLogger(RetentionPolicy.class);

	/** Generations written to after the current one began, already reported: retention runs often. */
	private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

	private final ReplicaClient client;

	private final Instant cutoff;

	/** The index below which the current generation's WAL was listed and deleted, or -1. */
	private long walDeletedBelow = -1;

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
		return enforce(current, catalog, -1, true);
	}

	/**
	 * Applies the policy, listing less of the current generation where its replica knows it: its
	 * snapshots from the catalog when it {@link SnapshotCatalog#knows knows} them (this replica
	 * listed them and recorded its own writes since), and its WAL only when segments may lie
	 * below the oldest snapshot kept. Neither is a cache that another writer could make wrong:
	 * another writer in this generation is a fork, which the replica detects when it resumes; and
	 * what either would hide is only left for a later pass, never deleted wrongly.
	 * @param current the generation being written
	 * @param catalog updated with what remains of the current generation
	 * @param walFloor the lowest index a WAL segment of the current generation may have, -1 if
	 * unknown
	 * @param othersListed whether the generations are listed; if not, only the current one is
	 * examined (its replica found the store empty before it began: see
	 * {@link Replica#storeListedEmpty()}), and others are left for a later pass
	 * @return how many objects were deleted
	 * @throws IOException if listing or deleting fails
	 */
	int enforce(String current, SnapshotCatalog catalog, long walFloor, boolean othersListed) throws IOException {
		int deleted = 0;
		@Nullable Instant currentStarted = null;
		for (String generation : othersListed ? this.client.generations() : List.of(current)) {
			boolean isCurrent = generation.equals(current);
			List<SnapshotInfo> snapshots = (isCurrent && catalog.knows(generation)) ? catalog.all(generation)
					: this.client.snapshots(generation);
			List<SnapshotInfo> retained = snapshots.stream()
				.filter((snapshot) -> !snapshot.createdAt().isBefore(this.cutoff))
				.toList();
			if (isCurrent) {
				if (retained.isEmpty() && !snapshots.isEmpty()) {
					retained = List.of(snapshots.get(snapshots.size() - 1));
				}
				deleted += trim(generation, snapshots, retained, walFloor);
				catalog.replace(generation, retained);
				if (!retained.isEmpty() && walFloor < keepFrom(retained)) {
					this.walDeletedBelow = keepFrom(retained);
				}
			}
			else if (retained.isEmpty()) {
				Instant newest = newestObject(generation, snapshots);
				if (newest != null && !newest.isBefore(this.cutoff)) {
					// Written to within the retention period although no snapshot of it is: another
					// writer's history (a disk rolled back, a second instance) that no later
					// generation may hold. Kept until its last write is as old as the period.
					currentStarted = (currentStarted != null) ? currentStarted : oldestObject(current);
					if (currentStarted != null && newest.isAfter(currentStarted)) {
						keptNewer(generation, newest, current, currentStarted);
					}
					continue;
				}
				this.client.deleteGeneration(generation);
				deleted++;
			}
			else {
				deleted += trim(generation, snapshots, retained, -1);
			}
		}
		return deleted;
	}

	/**
	 * The index below which {@link #enforce} listed and deleted the current generation's WAL.
	 * @return the index, or -1 if it did not
	 */
	long walDeletedBelow() {
		return this.walDeletedBelow;
	}

	private @Nullable Instant oldestObject(String generation) throws IOException {
		return Stream.concat(this.client.snapshots(generation).stream().map(SnapshotInfo::createdAt),
				this.client.walSegments(generation).stream().map(WalSegmentInfo::createdAt))
			.min(Comparator.naturalOrder())
			.orElse(null);
	}

	private @Nullable Instant newestObject(String generation, List<SnapshotInfo> snapshots) throws IOException {
		return Stream.concat(snapshots.stream().map(SnapshotInfo::createdAt),
				this.client.walSegments(generation).stream().map(WalSegmentInfo::createdAt))
			.max(Comparator.naturalOrder())
			.orElse(null);
	}

	private void keptNewer(String generation, Instant newest, String current, Instant currentStarted) {
		if (WARNED.add(this.client.location() + "/" + generation)) {
			logger.warn("Generation {} in {} was written to at {}, after generation {} began (its oldest object is "
					+ "from {}), so it may hold commits that no later generation has (another instance, or a database "
					+ "file older than the replica). Retention keeps it until its last write is older than the "
					+ "retention period; restore it to check (litestream restore -generation {})", generation,
					this.client.location(), newest, current, currentStarted, generation);
		}
	}

	private static long keepFrom(List<SnapshotInfo> retained) {
		return retained.stream().mapToLong(SnapshotInfo::index).min().getAsLong();
	}

	private int trim(String generation, List<SnapshotInfo> snapshots, List<SnapshotInfo> retained, long walFloor)
			throws IOException {
		if (retained.isEmpty()) {
			return 0;
		}
		long keepFrom = keepFrom(retained);
		int deleted = 0;
		for (SnapshotInfo snapshot : snapshots) {
			if (snapshot.index() < keepFrom) {
				this.client.deleteSnapshot(generation, snapshot.index());
				deleted++;
			}
		}
		if (walFloor >= keepFrom) {
			// No segment lies below the oldest snapshot kept: nothing to list.
			return deleted;
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
