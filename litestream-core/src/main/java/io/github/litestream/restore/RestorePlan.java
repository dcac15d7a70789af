package io.github.litestream.restore;

import java.util.List;
import java.util.Objects;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaLayout;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * What a restore will read, decided before anything is downloaded: one snapshot, then the WAL
 * of every index from the snapshot's index up to the target, in order. Immutable.
 *
 * @param replicaLocation where the replica lives, for messages
 * @param generation the generation restored from
 * @param snapshot the snapshot the restore starts from
 * @param walIndexes the WAL indexes applied on top of the snapshot, in order; empty when the
 * snapshot is restored alone
 * @param passedOver for a restore of the latest state, the generations with objects newer than
 * this one's that hold no snapshot to restore from (one whose snapshot is still uploading, or
 * failed to): the restored database lacks their changes
 */
public record RestorePlan(String replicaLocation, String generation, SnapshotInfo snapshot, List<WalIndex> walIndexes,
		List<String> passedOver) {

	/**
	 * Creates a plan.
	 * @param replicaLocation the replica location
	 * @param generation the generation
	 * @param snapshot the snapshot
	 * @param walIndexes the WAL indexes
	 * @param passedOver newer generations without a snapshot
	 */
	public RestorePlan {
		Objects.requireNonNull(replicaLocation, "replicaLocation");
		Objects.requireNonNull(generation, "generation");
		Objects.requireNonNull(snapshot, "snapshot");
		walIndexes = List.copyOf(walIndexes);
		passedOver = List.copyOf(passedOver);
	}

	/**
	 * A plan that passes over no generation.
	 * @param replicaLocation the replica location
	 * @param generation the generation
	 * @param snapshot the snapshot
	 * @param walIndexes the WAL indexes
	 */
	public RestorePlan(String replicaLocation, String generation, SnapshotInfo snapshot, List<WalIndex> walIndexes) {
		this(replicaLocation, generation, snapshot, walIndexes, List.of());
	}

	/**
	 * The last WAL index whose changes the restored database contains.
	 * @return the target index (the snapshot's index when no WAL is applied)
	 */
	public long targetIndex() {
		return this.walIndexes.isEmpty() ? this.snapshot.index()
				: this.walIndexes.get(this.walIndexes.size() - 1).index();
	}

	/**
	 * How many WAL segments the plan reads.
	 * @return the segment count
	 */
	public int segmentCount() {
		int count = 0;
		for (WalIndex walIndex : this.walIndexes) {
			count += walIndex.segments().size();
		}
		return count;
	}

	/**
	 * How many compressed bytes the plan downloads, snapshot included.
	 * @return the byte count
	 */
	public long compressedBytes() {
		long bytes = this.snapshot.size();
		for (WalIndex walIndex : this.walIndexes) {
			for (WalSegmentInfo segment : walIndex.segments()) {
				bytes += segment.size();
			}
		}
		return bytes;
	}

	/**
	 * The snapshot's key in the replica.
	 * @return the key relative to the replica's root
	 */
	public String snapshotKey() {
		return ReplicaLayout.snapshotKey(this.generation, this.snapshot.index());
	}

	@Override
	public String toString() {
		String wal = this.walIndexes.isEmpty() ? "no WAL"
				: "WAL " + Pos.hex(this.walIndexes.get(0).index()) + ".." + Pos.hex(targetIndex()) + " ("
						+ segmentCount() + " segments)";
		return "generation " + this.generation + ", snapshot " + Pos.hex(this.snapshot.index()) + ", " + wal + ", "
				+ compressedBytes() + " compressed bytes, from " + this.replicaLocation;
	}

	/**
	 * One WAL index to apply and the segments that make it up.
	 *
	 * @param index the WAL index
	 * @param segments its segments in offset order, the first at offset 0
	 */
	public record WalIndex(long index, List<WalSegmentInfo> segments) {

		/**
		 * Creates a WAL index.
		 * @param index the index
		 * @param segments the segments
		 */
		public WalIndex {
			segments = List.copyOf(segments);
		}

		@Override
		public String toString() {
			return Pos.hex(this.index) + " (" + this.segments.size() + " segments)";
		}

	}

}
