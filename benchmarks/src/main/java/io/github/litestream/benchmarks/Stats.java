package io.github.litestream.benchmarks;

import java.util.Arrays;
import java.util.List;

/**
 * Medians and percentiles (nearest rank) of measurements.
 */
final class Stats {

	private Stats() {
	}

	static double median(List<Double> values) {
		return percentile(values.stream().mapToDouble(Double::doubleValue).toArray(), 50);
	}

	static double percentile(double[] values, double percent) {
		if (values.length == 0) {
			return Double.NaN;
		}
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int rank = (int) Math.ceil(percent / 100 * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
	}

}
