package io.github.litestream.benchmarks;

import java.util.Arrays;

/**
 * Every commit's duration in nanoseconds, recorded into a preallocated {@code long[]} so that
 * recording allocates nothing per commit (the array doubles at most a few times per run), and
 * read back as percentiles (nearest rank).
 */
final class CommitLatencies {

	private long[] nanos = new long[1 << 20];

	private int count;

	void record(long duration) {
		if (this.count == this.nanos.length) {
			this.nanos = Arrays.copyOf(this.nanos, this.count * 2);
		}
		this.nanos[this.count++] = duration;
	}

	int count() {
		return this.count;
	}

	/**
	 * The percentiles the write scenario reports.
	 * @return p50, p99, p99.9, p99.99 and the maximum, in milliseconds
	 */
	Summary summary() {
		long[] sorted = Arrays.copyOf(this.nanos, this.count);
		Arrays.sort(sorted);
		return new Summary(millis(sorted, 50), millis(sorted, 99), millis(sorted, 99.9), millis(sorted, 99.99),
				millis(sorted, 100));
	}

	private static double millis(long[] sorted, double percent) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int rank = (int) Math.ceil(percent / 100 * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
	}

	/**
	 * Commit latency percentiles of one run, in milliseconds.
	 *
	 * @param p50 the median commit
	 * @param p99 the 99th percentile
	 * @param p999 the 99.9th percentile
	 * @param p9999 the 99.99th percentile: in a 10 s round, about the 50th slowest commit, so
	 * one stall of the machine does not decide it as it decides the maximum
	 * @param max the slowest commit
	 */
	record Summary(double p50, double p99, double p999, double p9999, double max) {

	}

}
