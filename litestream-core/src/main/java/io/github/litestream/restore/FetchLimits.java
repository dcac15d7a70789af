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

	/** The most a download worker holds at once, besides the budget's bytes. */
	static final long WORKER_BYTES = 16L * 1024 * 1024;

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

	/**
	 * How many download workers a heap affords: half of it, at {@value #WORKER_BYTES} bytes
	 * each. A worker holds at most that at once, besides what the budget counts: a streamed
	 * segment's two LZ4 block buffers (4 MiB each in Litestream's frames) and its copy buffer, or
	 * a segment read whole, its decompressed bytes while they grow and a block buffer. More
	 * workers than this can run the heap out of memory, and a restore-on-boot that does fails
	 * the application's start.
	 * @param maxHeap the heap's maximum size in bytes
	 * @return at least 1
	 */
	static int workersForHeap(long maxHeap) {
		return (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxHeap / 2 / WORKER_BYTES));
	}

}
