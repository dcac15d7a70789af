package io.github.litestream.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.management.OperatingSystemMXBean;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import org.awaitility.Awaitility;

/**
 * What an idle database costs: after a burst of writes has reached a file and an S3 replica,
 * the replica requests and CPU time over the idle period, against the same period measured
 * before the engine started (the JVM, S3Proxy included, doing nothing).
 */
final class IdleCostScenario implements Scenario {

	private static final String NAME = "idle";

	/** Caught up means: every replica holds the shadow WAL's end, and it stayed so for this long
	 * without a break (longer than the monitor and sync intervals, so no copy or upload is still
	 * on its way). */
	private static final Duration SETTLE = Duration.ofMillis(2500);

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		Duration idle = options.idleDuration();
		long baselineCpu = processCpu();
		// Idling for the configured period is the measurement itself (the no-engine baseline).
		Thread.sleep(idle.toMillis());
		double baselineMs = (processCpu() - baselineCpu) / 1e6;
		report.measure(NAME, "baseline: no engine", "process CPU", baselineMs, "ms");
		Path db = context.dir().resolve("app.db");
		Files.createDirectories(context.dir());
		OperationCounter fileCount = new OperationCounter();
		OperationCounter s3Count = new OperationCounter();
		Litestream engine = new Litestream();
		try (Workload app = new Workload(db)) {
			ReplicatedDatabase database = engine.addDatabase(DatabaseOptions.defaults(db),
					List.of(new ReplicationTarget(Backend.FILE.newClient(context.dir().resolve("replica"), null, fileCount),
							ReplicaOptions.defaults("file")),
							new ReplicationTarget(Backend.S3.newClient(null, context.s3(), s3Count), ReplicaOptions.defaults("s3"))));
			List<String> checkpoints = new CopyOnWriteArrayList<>();
			database.addListener(new DatabaseListener() {
				@Override
				public void onCheckpoint(CheckpointMode mode, Duration took) {
					checkpoints.add(mode.name());
				}
			});
			engine.start();
			for (int i = 0; i < 500; i++) {
				app.insert();
			}
			awaitCaughtUp(engine, database, Duration.ofSeconds(60));
			String fileKindsBefore = fileCount.describe();
			String s3KindsBefore = s3Count.describe();
			long fileBefore = fileCount.total();
			long s3Before = s3Count.total();
			int checkpointsBefore = checkpoints.size();
			long cpuBefore = processCpu();
			long engineCpuBefore = engineThreadsCpu();
			// Idling for the configured period is the measurement itself (engine running).
			Thread.sleep(idle.toMillis());
			double cpuMs = (processCpu() - cpuBefore) / 1e6;
			double engineMs = (engineThreadsCpu() - engineCpuBefore) / 1e6;
			long fileRequests = fileCount.total() - fileBefore;
			long s3Requests = s3Count.total() - s3Before;
			String variant = "engine idle, " + idle.toSeconds() + " s";
			report.measure(NAME, variant, "file replica requests", fileRequests, "");
			report.measure(NAME, variant, "s3 replica requests", s3Requests, "");
			report.measure(NAME, variant, "engine checkpoints", checkpoints.size() - checkpointsBefore, "");
			report.measure(NAME, variant, "process CPU", cpuMs, "ms");
			report.measure(NAME, variant, "litestream-* threads CPU", engineMs, "ms");
			report.measure(NAME, variant, "litestream-* threads CPU share of one core", engineMs / idle.toMillis() * 100, "%");
			report.measure(NAME, variant, "process CPU minus baseline", cpuMs - baselineMs, "ms");
			report.verdict(NAME, "replica requests while idle", Long.toString(fileRequests + s3Requests), "0",
					fileRequests + s3Requests == 0);
			double share = engineMs / idle.toMillis();
			report.verdict(NAME, "engine CPU while idle", String.format(Locale.ROOT, "%.3f%% of a core", share * 100),
					"< 0.5% of a core", share < 0.005);
			report.note(NAME, "requests by kind before the idle period: file " + fileKindsBefore + ", s3 "
					+ s3KindsBefore + "; after it: file " + fileCount.describe() + ", s3 " + s3Count.describe());
		}
		finally {
			Engines.stop(engine);
		}
	}

	private static void awaitCaughtUp(Litestream engine, ReplicatedDatabase database, Duration timeout) {
		Awaitility.await("replicas caught up with " + database.path())
			.atMost(timeout)
			.during(SETTLE)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> caughtUp(engine, database));
	}

	/** Every replica holds the shadow WAL's end. */
	private static boolean caughtUp(Litestream engine, ReplicatedDatabase database) {
		if (database.position().isEmpty()) {
			return false;
		}
		for (Replica replica : engine.replicas(database)) {
			if (!nothingPending(database, replica.position().orElse(null))) {
				return false;
			}
		}
		return true;
	}

	private static boolean nothingPending(ReplicatedDatabase database, Pos replicaPosition) {
		try {
			return replicaPosition != null && database.pendingWal(replicaPosition).isEmpty();
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static long processCpu() {
		return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	private static long engineThreadsCpu() {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		long total = 0;
		for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
			if (info != null && info.getThreadName().startsWith("litestream-")) {
				total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
			}
		}
		return total;
	}

}
