package io.github.litestream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.litestream.Litestream;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;

/**
 * Transactions per second of a single-row write loop with no replication (the baseline), with
 * a file replica and with an S3 replica. The variants alternate for several rounds and the
 * median counts, so a noisy neighbour hurts all of them alike. The longest transactions are
 * reported too: a checkpoint holds the write lock for a moment, and the application feels that
 * moment as a slow commit. S3Proxy runs in a JVM of its own, as a user's store does: in the
 * writer's JVM, the gigabytes of segments it kept in memory round after round made the
 * writer's own garbage-collection pauses (up to 27 ms) the slowest commits.
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

	private static final String P50 = "p50 tx";

	private static final String P99 = "p99 tx";

	private static final String P999 = "p99.9 tx";

	/** Reported, not judged: the targets are p99.9 and the maximum. */
	private static final String P9999 = "p99.99 tx";

	private static final String MAX = "slowest tx";

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		Map<String, List<Double>> rates = new LinkedHashMap<>();
		Map<String, Map<String, List<Double>>> latencies = new LinkedHashMap<>();
		Disk.settle();
		try (S3ServerChild s3 = S3ServerChild.start()) {
			for (int round = 0; round < options.rounds(); round++) {
				for (String variant : VARIANTS) {
					Path dir = context.dir().resolve("round-" + round + "-" + variant);
					Run run = measure(variant, dir, s3, options);
					// Each variant leaves up to a gigabyte of WAL: gone and written back before the next.
					Disk.delete(dir);
					Disk.settle();
					rates.computeIfAbsent(variant, (key) -> new ArrayList<>()).add(run.rate());
					String label = variant + " (round " + (round + 1) + ")";
					report.measure(NAME, label, "tx/s", run.rate(), "tx/s");
					Map<String, List<Double>> byMetric = latencies.computeIfAbsent(variant, (key) -> new LinkedHashMap<>());
					run.latencies().forEach((metric, millis) -> {
						byMetric.computeIfAbsent(metric, (key) -> new ArrayList<>()).add(millis);
						report.measure(NAME, label, metric, millis, "ms");
					});
				}
			}
		}
		reportLatencies(latencies, report);
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
			report.verdict(NAME, "tx/s with " + variant + " replica / " + SQLITE_DEFAULT,
					Report.format(median / sqliteDefault), ">= 0.97", median / sqliteDefault >= 0.97);
		}
		report.note(NAME, "each tx inserts one " + Workload.ROW_BYTES + "-byte row; " + options.rounds() + " round(s) of "
				+ options.writeDuration().toSeconds() + " s per variant; without replication nothing checkpoints "
				+ "(wal_autocheckpoint=0, the WAL only grows), with it the engine checkpoints at its default "
				+ "thresholds and its connection waits for locks with the starter's prompt busy handler; " + SQLITE_DEFAULT + " is the same loop with SQLite's automatic checkpoint every "
				+ "1,000 pages (no replication), reported for comparison; S3Proxy runs in a JVM of its own; p50/p99/p99.9/p99.99 tx and slowest tx are "
				+ "percentiles of every commit's duration in a round (medians over rounds)");
	}

	private static Run measure(String variant, Path dir, S3ServerChild s3, HarnessOptions options) throws Exception {
		Files.createDirectories(dir);
		Path db = dir.resolve("app.db");
		Litestream engine = null;
		try (Workload app = new Workload(db)) {
			if (variant.equals(SQLITE_DEFAULT)) {
				app.execute("PRAGMA wal_autocheckpoint=1000");
			}
			else if (REPLICATED.contains(variant)) {
				ReplicaClient client = variant.equals("file") ? new FileReplicaClient(dir.resolve("replica"))
						: s3.replica(dir.getFileName().toString(), ReplicaOperationListener.NONE);
				engine = Engines.start(db, client, variant);
				// As the starter's pooled connections do.
				app.retryLocksPromptly();
			}
			writeFor(app, 500_000_000L);
			long started = System.nanoTime();
			CommitLatencies latencies = writeFor(app, options.writeDuration().toNanos());
			double rate = latencies.count() / ((System.nanoTime() - started) / 1e9);
			CommitLatencies.Summary summary = latencies.summary();
			Map<String, Double> byMetric = new LinkedHashMap<>();
			byMetric.put(P50, summary.p50());
			byMetric.put(P99, summary.p99());
			byMetric.put(P999, summary.p999());
			byMetric.put(P9999, summary.p9999());
			byMetric.put(MAX, summary.max());
			return new Run(rate, byMetric);
		}
		finally {
			Engines.stop(engine);
			if (variant.equals("s3")) {
				deleteAll(s3.replica(dir.getFileName().toString(), ReplicaOperationListener.NONE));
			}
		}
	}

	/** Deletes a round's replica, so that the S3 server's memory does not grow from round to round. */
	private static void deleteAll(ReplicaClient replica) throws java.io.IOException {
		for (String generation : replica.generations()) {
			replica.deleteGeneration(generation);
		}
	}

	/**
	 * The medians over rounds of each latency percentile, and their ratios to SQLite's own
	 * autocheckpoint (the target: at most 1 for p99.9 and the maximum with replication).
	 */
	private static void reportLatencies(Map<String, Map<String, List<Double>>> latencies, Report report) {
		Map<String, List<Double>> reference = latencies.get(SQLITE_DEFAULT);
		for (String variant : VARIANTS) {
			Map<String, List<Double>> byMetric = latencies.get(variant);
			for (String metric : byMetric.keySet()) {
				double median = Stats.median(byMetric.get(metric));
				report.measure(NAME, variant + " (median)", metric, median, "ms");
				if (REPLICATED.contains(variant)) {
					report.measure(NAME, variant + " / " + SQLITE_DEFAULT, metric,
							median / Stats.median(reference.get(metric)), "");
				}
			}
		}
		for (String variant : REPLICATED) {
			for (String metric : List.of(P999, MAX)) {
				double ratio = Stats.median(latencies.get(variant).get(metric))
						/ Stats.median(reference.get(metric));
				report.verdict(NAME, metric + " with " + variant + " replica / " + SQLITE_DEFAULT,
						Report.format(ratio), "<= 1", ratio <= 1);
			}
		}
	}

	/** Writes until the time is up, recording each transaction's duration. */
	private static CommitLatencies writeFor(Workload app, long nanos) throws SQLException {
		long deadline = System.nanoTime() + nanos;
		CommitLatencies latencies = new CommitLatencies();
		long now = System.nanoTime();
		while (now < deadline) {
			app.insert();
			long done = System.nanoTime();
			latencies.record(done - now);
			now = done;
		}
		return latencies;
	}

	private record Run(double rate, Map<String, Double> latencies) {
	}

}
