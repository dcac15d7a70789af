package io.github.litestream.restore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * One generation's objects, as a replica lists them, and what {@link RestorePlanner} asks of
 * them. Plain loops rather than streams: a restore plans in a cold JVM, where each stream
 * pipeline and lambda costs class spinning and interpretation on the restore's critical path.
 */
record GenerationListing(String generation, List<SnapshotInfo> snapshots, List<WalSegmentInfo> segments) {

	Instant newestObject() {
		Instant newest = Instant.MIN;
		for (SnapshotInfo snapshot : this.snapshots) {
			newest = later(newest, snapshot.createdAt());
		}
		for (WalSegmentInfo segment : this.segments) {
			newest = later(newest, segment.createdAt());
		}
		return newest;
	}

	Instant oldestObject() {
		Instant oldest = Instant.MAX;
		for (SnapshotInfo snapshot : this.snapshots) {
			oldest = earlier(oldest, snapshot.createdAt());
		}
		for (WalSegmentInfo segment : this.segments) {
			oldest = earlier(oldest, segment.createdAt());
		}
		return oldest.equals(Instant.MAX) ? Instant.MIN : oldest;
	}

	boolean hasSnapshotAtOrBefore(Instant timestamp) {
		for (SnapshotInfo snapshot : this.snapshots) {
			if (timestamp == null || !snapshot.createdAt().isAfter(timestamp)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether this generation is the later one to restore from. On a tie of newest objects
	 * (whole-second times), the generation that started later: it holds what made it start.
	 * Names are random and say nothing, but break a last tie the same way every time.
	 */
	boolean isLaterThan(GenerationListing other) {
		int byNewest = newestObject().compareTo(other.newestObject());
		if (byNewest != 0) {
			return byNewest > 0;
		}
		int byOldest = oldestObject().compareTo(other.oldestObject());
		return (byOldest != 0) ? byOldest > 0 : this.generation.compareTo(other.generation) > 0;
	}

	GenerationListing without(Set<DamagedObject> unusableSnapshots) {
		if (unusableSnapshots.isEmpty()) {
			return this;
		}
		List<SnapshotInfo> usable = new ArrayList<>();
		for (SnapshotInfo snapshot : this.snapshots) {
			if (!unusableSnapshots.contains(DamagedObject.snapshot(this.generation, snapshot.index()))) {
				usable.add(snapshot);
			}
		}
		return new GenerationListing(this.generation, usable, this.segments);
	}

	long highestIndex() {
		long highest = -1;
		for (SnapshotInfo snapshot : this.snapshots) {
			highest = Math.max(highest, snapshot.index());
		}
		for (WalSegmentInfo segment : this.segments) {
			highest = Math.max(highest, segment.index());
		}
		return highest;
	}

	private static Instant later(Instant a, Instant b) {
		return b.isAfter(a) ? b : a;
	}

	private static Instant earlier(Instant a, Instant b) {
		return b.isBefore(a) ? b : a;
	}

}
