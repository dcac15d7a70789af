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

	private static final long MEMORY_BUDGET = 64L * 1024 * 1024;

	/**
	 * 1 MiB compressed and 8 MiB decompressed per segment, 64 MiB in all (the download window's
	 * size); in a heap under 512 MiB an eighth of it, so that a small {@code -Xmx} restores too.
	 */
	static final FetchLimits DEFAULT = forHeap(Runtime.getRuntime().maxMemory());

	/**
	 * The default limits for a heap.
	 * @param maxHeap the heap's maximum size in bytes
	 * @return the limits
	 */
	static FetchLimits forHeap(long maxHeap) {
		long budget = Math.min(MEMORY_BUDGET, maxHeap / 8);
		return new FetchLimits(1024 * 1024, (int) Math.min(8 * 1024 * 1024, budget), budget);
	}

}
