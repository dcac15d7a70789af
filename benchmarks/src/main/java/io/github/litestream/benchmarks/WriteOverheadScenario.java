package io.github.litestream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.litestream.Litestream;

/**
 * Transactions per second of a single-row write loop with no replication (the baseline), with
 * a file replica and with an S3 replica. The variants alternate for several rounds and the
 * median counts, so a noisy neighbour hurts all of them alike. The longest transactions are
 * reported too: a checkpoint holds the write lock for a moment, and the application feels that
 * moment as a slow commit.
 */
final class WriteOverheadScenario implements Scenario {

	private static final String NAME = "write";

	/** The baseline the target is about: the same pragmas, no replication, so no checkpoint ever. */
	private static final String BASELINE = "none";

	/**
	 * SQLite as an application runs it without any replication: automatic checkpoints every
	 * 1,000 pages, run by the committing connection. Reported, not judged.
	 */
	private static final String SQLITE_DEFAULT = "sqlite-default";

	private static final List<String> VARIANTS = List.of(BASELINE, "file", "s3", SQLITE_DEFAULT);

	private static final List<String> REPLICATED = List.of("file", "s3");

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		Map<String, List<Double>> rates = new LinkedHashMap<>();
		Map<String, List<Double>> slowest = new LinkedHashMap<>();
		Disk.settle();
		for (int round = 0; round < options.rounds(); round++) {
			for (String variant : VARIANTS) {
				Path dir = context.dir().resolve("round-" + round + "-" + variant);
				Run run = measure(variant, dir, context.s3(), options);
				// Each variant leaves up to a gigabyte of WAL: gone and written back before the next.
				Disk.delete(dir);
				Disk.settle();
				rates.computeIfAbsent(variant, (key) -> new ArrayList<>()).add(run.rate());
				slowest.computeIfAbsent(variant, (key) -> new ArrayList<>()).add(run.slowestMillis());
				report.measure(NAME, variant + " (round " + (round + 1) + ")", "tx/s", run.rate(), "tx/s");
				report.measure(NAME, variant + " (round " + (round + 1) + ")", "p99.9 tx", run.p999Millis(), "ms");
				report.measure(NAME, variant + " (round " + (round + 1) + ")", "slowest tx", run.slowestMillis(), "ms");
			}
		}
		for (String variant : VARIANTS) {
			report.measure(NAME, variant + " (median)", "slowest tx", Stats.median(slowest.get(variant)), "ms");
		}
		double baseline = Stats.median(rates.get(BASELINE));
		double sqliteDefault = Stats.median(rates.get(SQLITE_DEFAULT));
		report.measure(NAME, BASELINE + " (median)", "tx/s", baseline, "tx/s");
		report.measure(NAME, SQLITE_DEFAULT + " (median)", "tx/s", sqliteDefault, "tx/s");
		for (String variant : REPLICATED) {
			double median = Stats.median(rates.get(variant));
			double ratio = median / baseline;
			report.measure(NAME, variant + " (median)", "tx/s", median, "tx/s");
			report.measure(NAME, variant + " / " + BASELINE, "ratio", ratio, "");
			report.measure(NAME, variant + " / " + SQLITE_DEFAULT, "ratio", median / sqliteDefault, "");
			report.verdict(NAME, "tx/s with " + variant + " replica / without", Report.format(ratio), ">= 0.95",
					ratio >= 0.95);
		}
		report.note(NAME, "each tx inserts one " + Workload.ROW_BYTES + "-byte row; " + options.rounds() + " round(s) of "
				+ options.writeDuration().toSeconds() + " s per variant; without replication nothing checkpoints "
				+ "(wal_autocheckpoint=0, the WAL only grows), with it the engine checkpoints at its default "
				+ "thresholds; " + SQLITE_DEFAULT + " is the same loop with SQLite's automatic checkpoint every "
				+ "1,000 pages (no replication), reported for comparison; slowest tx is the longest single commit "
				+ "of a round (median over rounds)");
	}

	private static Run measure(String variant, Path dir, S3Server s3, HarnessOptions options) throws Exception {
		Files.createDirectories(dir);
		Path db = dir.resolve("app.db");
		Litestream engine = null;
		try (Workload app = new Workload(db)) {
			if (variant.equals(SQLITE_DEFAULT)) {
				app.execute("PRAGMA wal_autocheckpoint=1000");
			}
			else if (REPLICATED.contains(variant)) {
				Backend backend = variant.equals("file") ? Backend.FILE : Backend.S3;
				engine = Engines.start(db, backend.newClient(dir.resolve("replica"), s3, new OperationCounter()), variant);
			}
			writeFor(app, 500_000_000L);
			long started = System.nanoTime();
			double[] latencies = writeFor(app, options.writeDuration().toNanos());
			double rate = latencies.length / ((System.nanoTime() - started) / 1e9);
			return new Run(rate, Stats.percentile(latencies, 99.9) / 1e6, Stats.percentile(latencies, 100) / 1e6);
		}
		finally {
			Engines.stop(engine);
		}
	}

	/** Writes until the time is up; returns each transaction's duration in nanoseconds. */
	private static double[] writeFor(Workload app, long nanos) throws SQLException {
		long deadline = System.nanoTime() + nanos;
		double[] latencies = new double[1 << 16];
		int count = 0;
		long now = System.nanoTime();
		while (now < deadline) {
			app.insert();
			long done = System.nanoTime();
			if (count == latencies.length) {
				latencies = Arrays.copyOf(latencies, count * 2);
			}
			latencies[count++] = done - now;
			now = done;
		}
		return Arrays.copyOf(latencies, count);
	}

	private record Run(double rate, double p999Millis, double slowestMillis) {
	}

}
