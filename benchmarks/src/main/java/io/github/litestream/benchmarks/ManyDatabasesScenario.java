package io.github.litestream.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.UnixOperatingSystemMXBean;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.awaitility.Awaitility;

/**
 * Many databases in one JVM: {@code many.databases} (1,000) databases with file replicas and
 * default intervals, {@code many.busy} (10) of them written at 100 tx/s each, the rest idle.
 * Measures live threads, heap per database, CPU and replica requests while everything is idle,
 * the idle databases' requests while the busy ones write, and the busy ones' replication lag
 * p99 against one database written alone at the same rate in the same run. Then the heap of
 * {@code many.heap-databases} (10,000) idle databases, or as many as the descriptor limit
 * allows (each open database holds a few descriptors).
 */
final class ManyDatabasesScenario implements Scenario {

	static final String NAME = "many";

	private static final int RATE = 100;

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		int count = Integer.getInteger("many.databases", 1000);
		int busy = Math.min(count, Integer.getInteger("many.busy", 10));
		Duration busyFor = options.lagDuration();
		double singleP99 = lagP99(runBusy(context.dir().resolve("single"), 1, 1, busyFor, options.idleDuration(), null,
				report, "1 database"), report, "1 database");
		double manyP99 = lagP99(runBusy(context.dir().resolve("many"), count, busy, busyFor, options.idleDuration(),
				report, report, count + " databases"), report, count + " databases, " + busy + " busy");
		double ratio = manyP99 / singleP99;
		report.measure(NAME, "busy lag", "p99 ratio, " + count + " databases / 1 database", ratio, "");
		report.verdict(NAME, "busy databases' lag p99 against one database alone",
				String.format(Locale.ROOT, "%.2f (%.0f ms / %.0f ms)", ratio, manyP99, singleP99), "<= 1.10",
				ratio <= 1.10);
		idleHeap(context.dir().resolve("heap"), Integer.getInteger("many.heap-databases", 10_000), report);
	}

	/**
	 * Replicates {@code count} databases, measures them idle (when {@code idleReport} is set),
	 * then writes {@code busy} of them at {@link #RATE} tx/s each.
	 * @return the lag of every busy commit, in ms
	 */
	private static double[] runBusy(Path dir, int count, int busy, Duration busyFor, Duration idle, Report idleReport,
			Report report, String variant) throws Exception {
		Files.createDirectories(dir);
		ResourceSnapshot before = ResourceSnapshot.take();
		List<OperationCounter> counters = new ArrayList<>();
		List<ReplicaClient> clients = new ArrayList<>();
		Litestream engine = new Litestream();
		List<Workload> writers = new ArrayList<>();
		try {
			for (int n = 0; n < count; n++) {
				Path db = dir.resolve("db-" + n + ".db");
				Workload app = new Workload(db);
				app.insert();
				if (n < busy) {
					writers.add(app);
				}
				else {
					app.close();
				}
				OperationCounter counter = new OperationCounter();
				ReplicaClient client = new FileReplicaClient(dir.resolve("replicas/db-" + n), counter);
				counters.add(counter);
				clients.add(client);
				engine.addDatabase(DatabaseOptions.defaults(db),
						List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file"))));
			}
			engine.start();
			Awaitility.await("initial snapshots of " + count + " databases")
				.atMost(Duration.ofMinutes(10))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> engine.databases().stream().allMatch((database) -> caughtUp(engine, database)));
			if (idleReport != null) {
				measureIdle(engine, counters, before, idle, count, idleReport, variant);
			}
			List<LagRecorder> recorders = new ArrayList<>();
			for (int n = 0; n < busy; n++) {
				recorders.add(new LagRecorder(engine.replicas(engine.databases().get(n)).get(0)));
			}
			long idleBefore = requests(counters.subList(busy, count));
			write(writers, recorders, busyFor, report, variant);
			long idleRequests = requests(counters.subList(busy, count)) - idleBefore;
			engine.stop(Duration.ofSeconds(60));
			if (count > busy) {
				report.measure(NAME, variant, "idle databases' replica requests while " + busy + " write", idleRequests, "");
				report.verdict(NAME, "idle databases' requests while others write", Long.toString(idleRequests), "0",
						idleRequests == 0);
			}
			List<Double> lags = new ArrayList<>();
			int unmatched = 0;
			for (int n = 0; n < busy; n++) {
				for (double lag : recorders.get(n).lags(clients.get(n))) {
					lags.add(lag);
				}
				unmatched += recorders.get(n).unmatched();
			}
			if (unmatched > 0) {
				report.note(NAME, variant + ": " + unmatched + " commit(s) not matched to a stored segment");
			}
			return lags.stream().mapToDouble(Double::doubleValue).toArray();
		}
		finally {
			for (Workload writer : writers) {
				writer.close();
			}
			Engines.stop(engine);
		}
	}

	private static void measureIdle(Litestream engine, List<OperationCounter> counters, ResourceSnapshot before,
			Duration idle, int count, Report report, String variant) throws InterruptedException {
		ResourceSnapshot running = ResourceSnapshot.take();
		report.measure(NAME, variant, "live threads, before the engine", before.threads(), "");
		report.measure(NAME, variant, "live threads, engine running", running.threads(), "");
		report.measure(NAME, variant, "litestream-* threads", running.engineThreads(), "");
		report.measure(NAME, variant, "heap after GC per database", (running.heap() - before.heap()) / (double) count,
				"bytes");
		report.measure(NAME, variant, "file descriptors per database",
				(running.descriptors() - before.descriptors()) / (double) count, "");
		long requestsBefore = requests(counters);
		long cpuBefore = processCpu();
		long engineBefore = ResourceSnapshot.engineCpu();
		// Idling is the measurement itself.
		Thread.sleep(idle.toMillis());
		double engineMs = (ResourceSnapshot.engineCpu() - engineBefore) / 1e6;
		double processMs = (processCpu() - cpuBefore) / 1e6;
		long requests = requests(counters) - requestsBefore;
		report.measure(NAME, variant, "replica requests, all idle " + idle.toSeconds() + " s", requests, "");
		report.measure(NAME, variant, "litestream-* CPU, all idle, share of one core",
				engineMs / idle.toMillis() * 100, "%");
		report.measure(NAME, variant, "process CPU, all idle, share of one core", processMs / idle.toMillis() * 100, "%");
		report.verdict(NAME, "replica requests while " + count + " databases idle", Long.toString(requests), "0",
				requests == 0);
		report.verdict(NAME, "threads independent of the number of databases",
				running.engineThreads() + " litestream-* threads for " + count + " databases",
				"<= 1 + capture + replica pool", running.engineThreads() <= 1 + Runtime.getRuntime().availableProcessors()
						+ Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
	}

	private static void write(List<Workload> writers, List<LagRecorder> recorders, Duration busyFor, Report report,
			String variant) throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(writers.size());
		try {
			List<Future<Double>> rates = new ArrayList<>();
			for (int n = 0; n < writers.size(); n++) {
				Workload app = writers.get(n);
				LagRecorder recorder = recorders.get(n);
				rates.add(threads.submit(() -> paced(app, recorder, busyFor)));
			}
			double slowest = Double.MAX_VALUE;
			for (Future<Double> rate : rates) {
				slowest = Math.min(slowest, rate.get());
			}
			report.measure(NAME, variant, "slowest writer's rate achieved", slowest, "tx/s");
		}
		finally {
			threads.shutdown();
		}
	}

	private static double paced(Workload app, LagRecorder recorder, Duration busyFor) throws Exception {
		try (CommitTracker tracker = new CommitTracker(app.path())) {
			long period = 1_000_000_000L / RATE;
			long started = System.nanoTime();
			long total = busyFor.toNanos() / period;
			for (long i = 0; i < total; i++) {
				long wait = started + i * period - System.nanoTime();
				if (wait > 0) {
					LockSupport.parkNanos(wait);
				}
				app.insert();
				recorder.committed(tracker.afterCommit());
			}
			return total / ((System.nanoTime() - started) / 1e9);
		}
	}

	private static double lagP99(double[] lags, Report report, String variant) {
		double p50 = Stats.percentile(lags, 50);
		double p99 = Stats.percentile(lags, 99);
		report.measure(NAME, variant, "busy commits measured", lags.length, "");
		report.measure(NAME, variant, "lag p50", p50, "ms");
		report.measure(NAME, variant, "lag p99", p99, "ms");
		return p99;
	}

	/**
	 * The heap of many idle databases: registered, opened and caught up, with no application
	 * connection. Limited by the process's descriptor limit, measured per database and scaled.
	 */
	private static void idleHeap(Path dir, int wanted, Report report) throws Exception {
		Files.createDirectories(dir);
		ResourceSnapshot before = ResourceSnapshot.take();
		long freeDescriptors = before.maxDescriptors() - before.descriptors();
		// About seven descriptors a database were measured (two engine connections with their
		// WAL and shared memory, the engine's own database file descriptor); eight leaves room,
		// and a quarter of the limit stays free for everything else.
		int count = (int) Math.min(wanted, freeDescriptors * 3 / 4 / 8);
		Litestream engine = new Litestream();
		try {
			for (int n = 0; n < count; n++) {
				Path db = dir.resolve("idle-" + n + ".db");
				try (Workload app = new Workload(db)) {
					app.insert();
				}
				engine.addDatabase(DatabaseOptions.defaults(db), List.of(new ReplicationTarget(
						new FileReplicaClient(dir.resolve("replicas/idle-" + n)), ReplicaOptions.defaults("file"))));
			}
			engine.start();
			Awaitility.await("initial snapshots of " + count + " databases")
				.atMost(Duration.ofMinutes(20))
				.pollInterval(Duration.ofSeconds(1))
				.until(() -> engine.databases().stream().allMatch((database) -> caughtUp(engine, database)));
			ResourceSnapshot running = ResourceSnapshot.take();
			double perDatabase = (running.heap() - before.heap()) / (double) count;
			String variant = count + " idle databases";
			report.measure(NAME, variant, "heap after GC per database", perDatabase, "bytes");
			report.measure(NAME, variant, "heap after GC, all", (running.heap() - before.heap()) / 1048576.0, "MiB");
			report.measure(NAME, variant, "heap after GC, scaled to " + wanted, perDatabase * wanted / 1048576.0, "MiB");
			report.measure(NAME, variant, "file descriptors per database",
					(running.descriptors() - before.descriptors()) / (double) count, "");
			report.measure(NAME, variant, "litestream-* threads", running.engineThreads(), "");
			if (count < wanted) {
				report.note(NAME, "heap: " + count + " of the " + wanted + " databases asked for fit in the descriptor "
						+ "limit (" + before.maxDescriptors() + "); the " + wanted + " figure is scaled from them");
			}
		}
		finally {
			Engines.stop(engine);
		}
	}

	private static boolean caughtUp(Litestream engine, ReplicatedDatabase database) {
		if (database.position().isEmpty()) {
			return false;
		}
		for (Replica replica : engine.replicas(database)) {
			if (!replica.position().equals(database.position())) {
				return false;
			}
		}
		return true;
	}

	private static long requests(List<OperationCounter> counters) {
		return counters.stream().mapToLong(OperationCounter::total).sum();
	}

	private static long processCpu() {
		return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
	}

	/** Threads, heap after a GC and descriptors at one moment. */
	private record ResourceSnapshot(int threads, int engineThreads, long heap, long descriptors, long maxDescriptors) {

		static ResourceSnapshot take() {
			for (int i = 0; i < 3; i++) {
				System.gc();
			}
			long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
			int engineThreads = (int) Thread.getAllStackTraces()
				.keySet()
				.stream()
				.filter((thread) -> thread.getName().startsWith("litestream-"))
				.count();
			UnixOperatingSystemMXBean os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
			return new ResourceSnapshot(ManagementFactory.getThreadMXBean().getThreadCount(), engineThreads, heap,
					os.getOpenFileDescriptorCount(), os.getMaxFileDescriptorCount());
		}

		static long engineCpu() {
			var threads = ManagementFactory.getThreadMXBean();
			long total = 0;
			for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
				if (info != null && info.getThreadName().startsWith("litestream-")) {
					total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
				}
			}
			return total;
		}

	}

}
