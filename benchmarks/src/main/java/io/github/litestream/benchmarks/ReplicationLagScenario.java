package io.github.litestream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.Litestream;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;

/**
 * Time from a commit to the WAL segment holding it being stored in the replica, under a writer
 * paced at a fixed rate, with default intervals. Every commit's place in the WAL is found by
 * scanning the WAL (salts and end offset); every stored segment is recorded with the time the
 * client returned; afterwards the salts are mapped to the engine's WAL indexes by reading the
 * header at the start of each index's first segment. The baseline is the bound the engine's
 * schedule allows: the sync interval plus 100 ms.
 */
final class ReplicationLagScenario implements Scenario {

	private static final String NAME = "lag";

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		Duration syncInterval = ReplicaOptions.DEFAULT_SYNC_INTERVAL;
		double bound = syncInterval.toMillis() + 100;
		BarChart chart = new BarChart("Replication lag, commit to readable in the replica (p50 and p99)", "ms")
			.target(bound, "target p99: sync-interval + 100 ms", false);
		for (Backend backend : Backend.values()) {
			for (int rate : options.lagRates()) {
				String variant = backend.label() + " @ " + rate + " tx/s";
				Path dir = context.dir().resolve(backend.label() + "-" + rate);
				Files.createDirectories(dir);
				double[] lags = measure(dir, backend, context.s3(), rate, options.lagDuration(), report, variant);
				double p50 = Stats.percentile(lags, 50);
				double p99 = Stats.percentile(lags, 99);
				report.measure(NAME, variant, "commits measured", lags.length, "");
				report.measure(NAME, variant, "p50", p50, "ms");
				report.measure(NAME, variant, "p99", p99, "ms");
				report.measure(NAME, variant, "max", Stats.percentile(lags, 100), "ms");
				report.measure(NAME, variant, "baseline: sync-interval + 100 ms", bound, "ms");
				chart.bar(variant + ", p50", p50).bar(variant + ", p99", p99);
				report.verdict(NAME, "p99 lag, " + variant, Report.format(p99) + " ms", "<= " + Report.format(bound) + " ms",
						p99 <= bound);
			}
		}
		report.chart(NAME, chart);
		report.note(NAME, "default monitor-interval (" + io.github.litestream.db.DatabaseOptions.DEFAULT_MONITOR_INTERVAL.toMillis() + " ms) and sync-interval ("
				+ syncInterval.toMillis() + " ms); a commit waits for the monitor to copy it into the shadow WAL, "
				+ "then for the replica's next sync");
	}

	private static double[] measure(Path dir, Backend backend, S3Server s3, int rate, Duration duration, Report report,
			String variant) throws Exception {
		Path db = dir.resolve("app.db");
		Litestream engine = null;
		LagRecorder recorder;
		ReplicaClient client = backend.newClient(dir.resolve("replica"), s3, new OperationCounter());
		try (Workload app = new Workload(db)) {
			app.insert();
			engine = Engines.start(db, client, backend.label());
			recorder = new LagRecorder(engine.replicas(engine.databases().get(0)).get(0));
			try (CommitTracker tracker = new CommitTracker(db)) {
				long period = 1_000_000_000L / rate;
				long started = System.nanoTime();
				long total = duration.toNanos() / period;
				for (long i = 0; i < total; i++) {
					long due = started + i * period;
					long wait = due - System.nanoTime();
					if (wait > 0) {
						LockSupport.parkNanos(wait);
					}
					app.insert();
					recorder.committed(tracker.afterCommit());
				}
				double achieved = total / ((System.nanoTime() - started) / 1e9);
				report.measure(NAME, variant, "writer rate achieved", achieved, "tx/s");
			}
			engine.stop(Duration.ofSeconds(60));
		}
		finally {
			Engines.stop(engine);
		}
		double[] lags = recorder.lags(client);
		if (recorder.unmatched() > 0) {
			report.note(NAME, variant + ": " + recorder.unmatched() + " commit(s) could not be matched to a stored segment "
					+ "(left out of the percentiles)");
		}
		return lags;
	}

}
