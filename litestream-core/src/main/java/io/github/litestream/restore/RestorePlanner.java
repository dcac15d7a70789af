package io.github.litestream.restore;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaLayout;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a restore reads, from the replica's listings only.
 *
 * <ul>
 * <li><b>Generation</b>: the one asked for; otherwise the one whose newest object (snapshot
 * or WAL segment) is newest. With a timestamp, only generations holding a snapshot at or
 * before it are candidates.</li>
 * <li><b>Snapshot</b>: with an index, the latest snapshot at or below it; with a timestamp,
 * the latest one created at or before it; otherwise the one with the highest index.</li>
 * <li><b>WAL</b>: every index from the snapshot's up to the target, each starting at offset
 * 0. With a timestamp, segments are used in order while they were created at or before it;
 * the first later segment ends the restore, so a prefix of the history is restored.</li>
 * <li><b>Consistency</b>: a snapshot of index N stored at time T is used only with every
 * segment of index N stored at or before T (the replica stores the WAL up to a snapshot's
 * position before the snapshot, and the snapshot may hold pages of any of those frames). With
 * a timestamp, a snapshot whose WAL would be cut short gives way to an earlier one.</li>
 * </ul>
 *
 * <p>Differences from Litestream v0.3.14, on purpose: an index above the highest one in the
 * replica is an error (Litestream silently restores less than asked), and a timestamp after
 * the last upload restores the latest state (Litestream reports that no backup matches). As in
 * Litestream, a snapshot whose index has no WAL segment at all is restored alone, but only
 * when no later index has usable segments either: otherwise WAL is missing, and restoring the
 * snapshot alone would silently drop the later changes, so that is an error.
 *
 * <p>The usual paths (the latest state, an index) are plain loops rather than streams: a
 * restore-on-boot plans once in a cold JVM, where every stream pipeline and lambda is spun and
 * interpreted on the restore's critical path (about 30 ms on a replica of 1,908 segments).
 */
public final class RestorePlanner {

	private static final Logger logger = LoggerFactory.getLogger(RestorePlanner.class);

	private final ReplicaClient client;

	/**
	 * Creates a planner for one replica.
	 * @param client the replica
	 */
	public RestorePlanner(ReplicaClient client) {
		this.client = client;
	}

	/**
	 * Plans a restore.
	 * @param options what to restore; only the generation, index and timestamp are used
	 * @return the plan, or empty when the replica holds no snapshot at all
	 * @throws NoMatchingBackupException if the generation does not exist, or no snapshot is as
	 * old as the timestamp
	 * @throws RestoreException if the request cannot be met from this replica otherwise
	 * @throws IOException if the replica cannot be listed
	 */
	public Optional<RestorePlan> plan(RestoreOptions options) throws IOException {
		return plan(options, Set.of());
	}

	/**
	 * Plans a restore that does not use some snapshots.
	 * @param options what to restore
	 * @param unusableSnapshots snapshots known to be damaged
	 * @return the plan, or empty when the replica holds no usable snapshot at all
	 * @throws RestoreException if the request cannot be met from this replica
	 * @throws IOException if the replica cannot be listed
	 */
	Optional<RestorePlan> plan(RestoreOptions options, Set<DamagedObject> unusableSnapshots) throws IOException {
		List<GenerationListing> listings = new ArrayList<>();
		for (GenerationListing listing : listGenerations(options.generation())) {
			listings.add(listing.without(unusableSnapshots));
		}
		if (noSnapshotIn(listings)) {
			if (options.generation() != null && !listings.isEmpty()) {
				throw error("generation " + options.generation() + " has no snapshot", "restore another generation");
			}
			return Optional.empty();
		}
		GenerationListing listing = chooseGeneration(listings, options.timestamp());
		RestoreException inconsistent = null;
		for (SnapshotInfo snapshot : chooseSnapshots(listing, options)) {
			List<RestorePlan.WalIndex> walIndexes = planWal(listing, snapshot, options);
			Optional<WalSegmentInfo> skipped = segmentStoredBeforeButNotApplied(listing, snapshot, walIndexes);
			if (skipped.isEmpty()) {
				return Optional.of(new RestorePlan(this.client.location(), listing.generation(), snapshot, walIndexes,
						passedOver(listings, listing, options)));
			}
			if (inconsistent == null) {
				inconsistent = needsLaterWal(listing.generation(), snapshot, skipped.get());
			}
		}
		throw Objects.requireNonNull(inconsistent, "a generation with a snapshot to restore from");
	}

	/**
	 * For a restore of the latest state, the generations newer than the chosen one that hold no
	 * snapshot: a new generation's WAL means nothing without its snapshot, so the restore is of
	 * an older generation, which the caller should say.
	 */
	private static List<String> passedOver(List<GenerationListing> listings, GenerationListing chosen, RestoreOptions options) {
		if (options.generation() != null || options.index() != null || options.timestamp() != null) {
			return List.of();
		}
		return newerWithoutSnapshot(listings, chosen);
	}

	private static List<String> newerWithoutSnapshot(List<GenerationListing> listings, GenerationListing chosen) {
		List<String> newer = new ArrayList<>();
		for (GenerationListing listing : listings) {
			if (listing.snapshots().isEmpty() && listing.newestObject().isAfter(chosen.newestObject())) {
				newer.add(listing.generation());
			}
		}
		return newer;
	}

	private static boolean noSnapshotIn(List<GenerationListing> listings) {
		for (GenerationListing listing : listings) {
			if (!listing.snapshots().isEmpty()) {
				return false;
			}
		}
		return true;
	}

	/**
	 * A segment of the snapshot's index stored no later than the snapshot that the plan does
	 * not apply, if any. A snapshot is the database file as it was when the replica stored it:
	 * it may hold pages of any frame of its index that the replica had stored by then (a
	 * time-based checkpoint moves pages into the file without starting an index), and the
	 * replica stores the WAL up to the snapshot's position before the snapshot. Replaying less
	 * of the index than that would leave pages of a later moment next to pages replayed from an
	 * earlier one. The key names only the index, so this is the rule that listings can check.
	 */
	private static Optional<WalSegmentInfo> segmentStoredBeforeButNotApplied(GenerationListing listing, SnapshotInfo snapshot,
			List<RestorePlan.WalIndex> walIndexes) {
		Set<Long> applied = new HashSet<>();
		for (RestorePlan.WalIndex walIndex : walIndexes) {
			if (walIndex.index() == snapshot.index()) {
				for (WalSegmentInfo segment : walIndex.segments()) {
					applied.add(segment.offset());
				}
			}
		}
		for (WalSegmentInfo segment : listing.segments()) {
			if (segment.index() == snapshot.index() && !segment.createdAt().isAfter(snapshot.createdAt())
					&& !applied.contains(segment.offset())) {
				return Optional.of(segment);
			}
		}
		return Optional.empty();
	}

	private RestoreException needsLaterWal(String generation, SnapshotInfo snapshot, WalSegmentInfo segment) {
		return error(generation, "snapshot " + Pos.hex(snapshot.index()) + " (stored " + snapshot.createdAt()
				+ ") is only consistent with its index's WAL up to at least " + ReplicaLayout.walSegmentKey(segment.pos())
				+ " (stored " + segment.createdAt() + "), which this restore would not apply, and no earlier snapshot "
				+ "reaches the point either", "choose a timestamp at or after " + segment.createdAt()
				+ ", or restore by index");
	}

	/**
	 * The newest point a latest restore reaches in this replica, from its listings only: the
	 * generation {@link #plan(RestoreOptions)} reads when given no generation, index or
	 * timestamp, with its highest index and the time of its newest object. Objects are not
	 * read, so damage does not show here.
	 * @return the newest backup, or empty when no generation holds a snapshot
	 * @throws IOException if the replica cannot be listed
	 */
	public Optional<NewestBackup> newestBackup() throws IOException {
		List<GenerationListing> listings = listGenerations(null);
		if (noSnapshotIn(listings)) {
			return Optional.empty();
		}
		GenerationListing listing = chooseGeneration(listings, null);
		List<String> newer = newerWithoutSnapshot(listings, listing);
		if (!newer.isEmpty()) {
			// Said here: a caller that restores this backup names its generation, and then
			// the restore itself cannot tell that newer ones were passed over.
			logger.warn("Replica {} holds newer generations {} without a snapshot yet (still uploading, or the upload "
					+ "failed): its latest backup is in generation {}, which lacks their changes", this.client.location(),
					newer, listing.generation());
		}
		return Optional.of(new NewestBackup(listing.generation(), listing.highestIndex(), listing.newestObject()));
	}

	private List<GenerationListing> listGenerations(String requested) throws IOException {
		List<String> generations = this.client.generations();
		if (requested != null) {
			if (!Pos.isGeneration(requested)) {
				throw error("'" + requested + "' is not a generation name",
						"use 16 lowercase hex characters, one of " + generations);
			}
			if (!generations.isEmpty() && !generations.contains(requested)) {
				throw new NoMatchingBackupException(message("generation " + requested + " does not exist",
						"use one of " + generations + " or leave the generation unset"));
			}
			generations = generations.contains(requested) ? List.of(requested) : List.of();
		}
		List<GenerationListing> listings = new ArrayList<>();
		for (String generation : generations) {
			listings.add(new GenerationListing(generation, this.client.snapshots(generation),
					this.client.walSegments(generation)));
		}
		return listings;
	}

	private GenerationListing chooseGeneration(List<GenerationListing> listings, Instant timestamp) throws RestoreException {
		GenerationListing chosen = null;
		for (GenerationListing listing : listings) {
			if (listing.hasSnapshotAtOrBefore(timestamp) && (chosen == null || listing.isLaterThan(chosen))) {
				chosen = listing;
			}
		}
		if (chosen == null) {
			Instant earliest = listings.stream()
				.flatMap((listing) -> listing.snapshots().stream())
				.map(SnapshotInfo::createdAt)
				.min(Comparator.naturalOrder())
				.orElseThrow();
			throw new NoMatchingBackupException(message(
					"no snapshot was created at or before " + timestamp + "; the earliest is from " + earliest,
					"choose a timestamp at or after " + earliest));
		}
		return chosen;
	}

	/**
	 * The snapshots to restore from, best first: with a timestamp, every one created at or
	 * before it, the latest first (an earlier one serves the point when the latest's WAL does
	 * not reach far enough); otherwise the single one the index or the latest state calls for.
	 */
	private List<SnapshotInfo> chooseSnapshots(GenerationListing listing, RestoreOptions options) throws RestoreException {
		if (options.index() == null && options.timestamp() != null) {
			return listing.snapshots()
				.stream()
				.filter((snapshot) -> !snapshot.createdAt().isAfter(options.timestamp()))
				.sorted(Comparator.comparing(SnapshotInfo::createdAt).thenComparingLong(SnapshotInfo::index).reversed())
				.toList();
		}
		long target = Long.MAX_VALUE;
		if (options.index() != null) {
			target = options.index();
			requireAvailable(listing, target);
		}
		SnapshotInfo chosen = null;
		for (SnapshotInfo snapshot : listing.snapshots()) {
			if (snapshot.index() <= target && (chosen == null || snapshot.index() > chosen.index())) {
				chosen = snapshot;
			}
		}
		if (chosen == null) {
			throw error(listing.generation(), "has no snapshot at or below index " + Pos.hex(target),
					"restore index " + Pos.hex(listing.snapshots().get(0).index()) + " or later");
		}
		return List.of(chosen);
	}

	private void requireAvailable(GenerationListing listing, long target) throws RestoreException {
		long highest = listing.highestIndex();
		if (target > highest) {
			throw error(listing.generation(), "has no index " + Pos.hex(target) + "; the highest available index is "
					+ Pos.hex(highest), "restore index " + Pos.hex(highest) + " or lower, or leave the index unset");
		}
	}

	private List<RestorePlan.WalIndex> planWal(GenerationListing listing, SnapshotInfo snapshot, RestoreOptions options)
			throws RestoreException {
		TreeMap<Long, List<WalSegmentInfo>> byIndex = usableSegments(listing, snapshot, options);
		if (!byIndex.containsKey(snapshot.index())) {
			long target = (options.index() != null) ? options.index() : snapshot.index();
			if (target > snapshot.index() || !byIndex.isEmpty()) {
				throw missingIndex(listing.generation(), snapshot.index(), snapshot);
			}
			return List.of();
		}
		long target = (options.index() != null) ? options.index() : byIndex.lastKey();
		List<RestorePlan.WalIndex> plan = new ArrayList<>();
		for (long index = snapshot.index(); index <= target; index++) {
			List<WalSegmentInfo> segments = byIndex.get(index);
			if (segments == null) {
				throw missingIndex(listing.generation(), index, snapshot);
			}
			if (segments.get(0).offset() != 0) {
				throw new RestoreException("missing initial WAL segment: generation=" + listing.generation() + " index="
						+ Pos.hex(index) + " offset=" + Pos.hex(0) + " in " + this.client.location()
						+ " (the first segment of that index starts at offset " + Pos.hex(segments.get(0).offset())
						+ "); " + fix(index, snapshot, true), DamagedObject.wal(listing.generation(), index), null);
			}
			plan.add(new RestorePlan.WalIndex(index, segments));
		}
		return plan;
	}

	/**
	 * The segments from the snapshot's index up to the target index, grouped by index; with a
	 * timestamp, only the prefix of segments created at or before it.
	 */
	private static TreeMap<Long, List<WalSegmentInfo>> usableSegments(GenerationListing listing, SnapshotInfo snapshot,
			RestoreOptions options) {
		Instant timestamp = options.timestamp();
		long last = (options.index() != null) ? options.index() : Long.MAX_VALUE;
		TreeMap<Long, List<WalSegmentInfo>> byIndex = new TreeMap<>();
		for (WalSegmentInfo segment : listing.segments()) {
			if (segment.index() < snapshot.index()) {
				continue;
			}
			if (segment.index() > last || (timestamp != null && segment.createdAt().isAfter(timestamp))) {
				break;
			}
			List<WalSegmentInfo> ofIndex = byIndex.get(segment.index());
			if (ofIndex == null) {
				ofIndex = new ArrayList<>();
				byIndex.put(segment.index(), ofIndex);
			}
			ofIndex.add(segment);
		}
		return byIndex;
	}

	private RestoreException missingIndex(String generation, long index, SnapshotInfo snapshot) {
		return new RestoreException("missing WAL index: generation=" + generation + " index=" + Pos.hex(index)
				+ " has no segments in " + this.client.location() + " (expected " + ReplicaLayout.walSegmentKey(new Pos(generation, index, 0))
				+ "); " + fix(index, snapshot, false), DamagedObject.wal(generation, index), null);
	}

	/**
	 * What the user can restore instead when the WAL of {@code index} is unusable.
	 */
	private static String fix(long index, SnapshotInfo snapshot, boolean indexHasSegments) {
		if (index > snapshot.index()) {
			return "the state up to the previous index can be restored with index=" + Pos.hex(index - 1);
		}
		if (!indexHasSegments) {
			return "the snapshot at index " + Pos.hex(snapshot.index()) + " can be restored alone with index="
					+ Pos.hex(snapshot.index());
		}
		return "restore an index below " + Pos.hex(snapshot.index())
				+ " to start from an earlier snapshot, or restore from another replica";
	}

	private RestoreException error(String generation, String problem, String fix) {
		return error("generation " + generation + " " + problem, fix);
	}

	private RestoreException error(String problem, String fix) {
		return new RestoreException(message(problem, fix));
	}

	private String message(String problem, String fix) {
		return "Cannot restore from " + this.client.location() + ": " + problem + "; " + fix;
	}

}
