package io.github.litestream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.ReplicaQuorum;
import io.github.litestream.jdbc.SynchronousReplicationDataSource;
import org.sqlite.SQLiteDataSource;

/**
 * Commit latency and throughput with synchronous replication against asynchronous replication
 * of the same load, in the same run: 1, 10 and 100 concurrent writers, each committing one
 * row per transaction, to a file replica and to S3Proxy in this JVM. Group commit is what
 * keeps 100 writers from costing 100 uploads per round trip.
 */
final class SynchronousCommitScenario implements Scenario {

	static final String NAME = "sync";

	private static final int[] WRITERS = { 1, 10, 100 };

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		Duration duration = options.writeDuration();
		for (Backend backend : Backend.values()) {
			for (int writers : WRITERS) {
				Run async = measure(backend, writers, false, context, duration);
				Run sync = measure(backend, writers, true, context, duration);
				String variant = backend.name().toLowerCase(java.util.Locale.ROOT) + ", " + writers + " writer(s)";
				for (Run run : List.of(async, sync)) {
					String mode = run.synchronous() ? "synchronous" : "asynchronous";
					report.measure(NAME, variant + ", " + mode, "tx/s", run.rate(), "tx/s");
					report.measure(NAME, variant + ", " + mode, "p50 commit", run.p50Millis(), "ms");
					report.measure(NAME, variant + ", " + mode, "p99 commit", run.p99Millis(), "ms");
					report.measure(NAME, variant + ", " + mode, "slowest commit", run.maxMillis(), "ms");
				}
				report.measure(NAME, variant + ", synchronous / asynchronous", "ratio", sync.rate() / async.rate(), "");
				if (backend == Backend.S3 && writers == 1) {
					report.verdict(NAME, "p50 commit, synchronous, S3Proxy, 1 writer", Report.format(sync.p50Millis())
							+ " ms", "<= 25 ms", sync.p50Millis() <= 25);
				}
			}
		}
		report.note(NAME, "each writer commits one " + Workload.ROW_BYTES + "-byte row per transaction on its own "
				+ "connection for " + duration.toSeconds() + " s per variant; asynchronous is the same load with "
				+ "synchronous replication off (commits never wait); default engine settings (1 s sync interval)");
	}

	private static Run measure(Backend backend, int writers, boolean synchronous, Context context, Duration duration)
			throws Exception {
		Path dir = context.dir().resolve(backend + "-" + writers + "-" + (synchronous ? "sync" : "async"));
		Files.createDirectories(dir);
		Path db = dir.resolve("app.db");
		new Workload(db).close();
		Litestream engine = Engines.start(db, backend.newClient(dir.resolve("replica"), context.s3(),
				new OperationCounter()), backend.name().toLowerCase(java.util.Locale.ROOT));
		ExecutorService pool = Executors.newFixedThreadPool(writers);
		try {
			SQLiteDataSource sqlite = new SQLiteDataSource();
			sqlite.setUrl("jdbc:sqlite:" + db);
			DataSource dataSource = synchronous ? new SynchronousReplicationDataSource(sqlite, engine,
					engine.databases().get(0), ReplicaQuorum.ANY, Duration.ofSeconds(30)) : sqlite;
			long deadline = System.nanoTime() + duration.toNanos();
			long started = System.nanoTime();
			List<Future<double[]>> results = new ArrayList<>();
			for (int i = 0; i < writers; i++) {
				results.add(pool.submit(() -> write(dataSource, deadline)));
			}
			List<double[]> all = new ArrayList<>();
			for (Future<double[]> result : results) {
				all.add(result.get());
			}
			double seconds = (System.nanoTime() - started) / 1e9;
			double[] latencies = all.stream().flatMapToDouble(Arrays::stream).toArray();
			return new Run(synchronous, latencies.length / seconds, Stats.percentile(latencies, 50) / 1e6,
					Stats.percentile(latencies, 99) / 1e6, Stats.percentile(latencies, 100) / 1e6);
		}
		finally {
			pool.shutdown();
			Engines.stop(engine);
			Disk.delete(dir);
		}
	}

	/** One writer: commits until the deadline; returns each commit's duration in nanoseconds. */
	private static double[] write(DataSource dataSource, long deadline) throws Exception {
		double[] latencies = new double[1 << 12];
		int count = 0;
		try (Connection connection = dataSource.getConnection()) {
			try (Statement s = connection.createStatement()) {
				s.execute("PRAGMA busy_timeout=60000");
				s.execute("PRAGMA synchronous=NORMAL");
				s.execute("PRAGMA wal_autocheckpoint=0");
			}
			try (PreparedStatement insert = connection
				.prepareStatement("INSERT INTO t (payload) VALUES (hex(randomblob(75)) || hex(zeroblob(75)))")) {
				long now = System.nanoTime();
				while (now < deadline) {
					insert.executeUpdate();
					long done = System.nanoTime();
					if (count == latencies.length) {
						latencies = Arrays.copyOf(latencies, count * 2);
					}
					latencies[count++] = done - now;
					now = done;
				}
			}
		}
		return Arrays.copyOf(latencies, count);
	}

	private record Run(boolean synchronous, double rate, double p50Millis, double p99Millis, double maxMillis) {
	}

}
