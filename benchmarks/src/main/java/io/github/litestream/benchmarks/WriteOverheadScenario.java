package io.github.litestream.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.litestream.Litestream;

/**
 * Transactions per second of a single-row write loop with no replication (the baseline), with
 * a file replica and with an S3 replica. The variants alternate for several rounds and the
 * median counts, so a noisy neighbour hurts all of them alike.
 */
final class WriteOverheadScenario implements Scenario {

	private static final String NAME = "write";

	private static final List<String> VARIANTS = List.of("none", "file", "s3");

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		Map<String, List<Double>> rates = new LinkedHashMap<>();
		for (int round = 0; round < options.rounds(); round++) {
			for (String variant : VARIANTS) {
				Path dir = context.dir().resolve("round-" + round + "-" + variant);
				double rate = measure(variant, dir, context.s3(), options);
				rates.computeIfAbsent(variant, (key) -> new ArrayList<>()).add(rate);
				report.measure(NAME, variant + " (round " + (round + 1) + ")", "tx/s", rate, "tx/s");
			}
		}
		double baseline = Stats.median(rates.get("none"));
		report.measure(NAME, "none (median)", "tx/s", baseline, "tx/s");
		for (String variant : VARIANTS.subList(1, VARIANTS.size())) {
			double median = Stats.median(rates.get(variant));
			double ratio = median / baseline;
			report.measure(NAME, variant + " (median)", "tx/s", median, "tx/s");
			report.measure(NAME, variant + " / none", "ratio", ratio, "");
			report.verdict(NAME, "tx/s with " + variant + " replica / without", Report.format(ratio), ">= 0.95",
					ratio >= 0.95);
		}
		report.note(NAME, "each tx inserts one " + Workload.ROW_BYTES + "-byte row; " + options.rounds() + " round(s) of "
				+ options.writeDuration().toSeconds() + " s per variant; without replication nothing checkpoints "
				+ "(wal_autocheckpoint=0), with it the engine checkpoints at its default thresholds");
	}

	private static double measure(String variant, Path dir, S3Server s3, HarnessOptions options) throws Exception {
		java.nio.file.Files.createDirectories(dir);
		Path db = dir.resolve("app.db");
		Litestream engine = null;
		try (Workload app = new Workload(db)) {
			if (!variant.equals("none")) {
				Backend backend = variant.equals("file") ? Backend.FILE : Backend.S3;
				engine = Engines.start(db, backend.newClient(dir.resolve("replica"), s3, new OperationCounter()), variant);
			}
			writeFor(app, 500_000_000L);
			long started = System.nanoTime();
			long count = writeFor(app, options.writeDuration().toNanos());
			return count / ((System.nanoTime() - started) / 1e9);
		}
		finally {
			Engines.stop(engine);
		}
	}

	private static long writeFor(Workload app, long nanos) throws java.sql.SQLException {
		long deadline = System.nanoTime() + nanos;
		long count = 0;
		while (System.nanoTime() < deadline) {
			app.insert();
			count++;
		}
		return count;
	}

}
