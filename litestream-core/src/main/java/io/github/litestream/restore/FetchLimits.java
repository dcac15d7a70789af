package io.github.litestream.restore;

/**
 * What a {@link WalIndexFetcher} may hold in memory: segments it keeps there skip the
 * temporary file, and the limits keep memory bounded whatever the segments hold.
 *
 * @param smallSegmentBytes the largest compressed segment read whole into memory
 * @param segmentMemoryLimit the most decompressed bytes of one segment held in memory (LZ4 can
 * expand 255-fold)
 * @param memoryBudget the most decompressed bytes held in memory at once, over the indexes
 * fetched and not yet applied
 */
record FetchLimits(int smallSegmentBytes, int segmentMemoryLimit, long memoryBudget) {

	/** 1 MiB compressed, 8 MiB decompressed per segment, 64 MiB in all (the download window's size). */
	static final FetchLimits DEFAULT = new FetchLimits(1024 * 1024, 8 * 1024 * 1024, 64L * 1024 * 1024);

}
