package io.github.litestream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.Litestream;
import io.github.litestream.ReplicaQuorum;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;

/**
 * A deploy on an empty disk: restore the database from the replica, start replication, commit
 * one row and wait until the replica holds it. Measured: the bytes uploaded and the time from
 * the start of replication until that row is stored, when the engine continues the restored
 * generation, against the baseline in the same run: a new generation, as Litestream starts after
 * every restore, which uploads a full snapshot first.
 */
final class RedeployScenario implements Scenario {

	static final String NAME = "redeploy";

	private static final int ROW_BYTES = 1000;

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		long databaseBytes = (long) options.restoreMib() * 1024 * 1024;
		for (Backend backend : Backend.values()) {
			Path dir = Files.createDirectories(context.dir().resolve(backend.label()));
			String url = (backend == Backend.S3) ? context.s3().newBucketUrl() : null;
			AtomicLong uploaded = new AtomicLong();
			ReplicaOperationListener counting = (operation, bytes) -> {
				if (operation == ReplicaOperation.PUT) {
					uploaded.addAndGet(bytes);
				}
			};
			Path seed = dir.resolve("seed.db");
			try (Workload app = new Workload(seed)) {
				app.bulkInsert(databaseBytes, ROW_BYTES);
				Engines.stop(Engines.start(seed, client(backend, dir, url, context, counting), backend.label()));
			}
			Sample baseline = null;
			for (boolean continues : new boolean[] { false, true }) {
				String variant = backend.label() + (continues ? ", continued generation" : ", new generation (baseline)");
				Path db = dir.resolve((continues ? "continued" : "new") + ".db");
				try (ReplicaClient reader = client(backend, dir, url, context, ReplicaOperationListener.NONE)) {
					new Restorer().restore(reader, RestoreOptions.latest(db).withContinueGeneration(continues));
				}
				uploaded.set(0);
				Sample sample = deploy(db, client(backend, dir, url, context, counting), backend, uploaded);
				report.measure(NAME, variant, "uploaded", sample.bytes() / 1024.0, "KiB");
				report.measure(NAME, variant, "start to first commit stored", sample.millis(), "ms");
				if (baseline == null) {
					baseline = sample;
					continue;
				}
				double bytesRatio = (double) sample.bytes() / Math.max(1, baseline.bytes());
				double timeRatio = sample.millis() / Math.max(1e-3, baseline.millis());
				report.measure(NAME, backend.label(), "uploaded, continued / new generation", bytesRatio, "");
				report.measure(NAME, backend.label(), "time, continued / new generation", timeRatio, "");
				report.verdict(NAME, "bytes a deploy uploads, " + backend.label(),
						Report.format(bytesRatio) + " of a new generation's", "< 0.01", bytesRatio < 0.01);
			}
		}
		report.note(NAME, "database of " + options.restoreMib() + " MiB; each deploy restores it into an empty "
				+ "directory, starts replication, commits one row and waits until the replica holds it");
	}

	private static ReplicaClient client(Backend backend, Path dir, String url, Context context,
			ReplicaOperationListener listener) {
		return (backend == Backend.FILE) ? new FileReplicaClient(dir.resolve("replica"), listener)
				: context.s3().replica(url, listener);
	}

	private static Sample deploy(Path db, ReplicaClient client, Backend backend, AtomicLong uploaded) throws Exception {
		try (Workload app = new Workload(db)) {
			long start = System.nanoTime();
			Litestream engine = Engines.start(db, client, backend.label());
			try {
				app.insert();
				if (!engine.awaitReplicated(engine.databases().get(0), ReplicaQuorum.ALL, Duration.ofMinutes(5))
					.replicated()) {
					throw new IllegalStateException("The first commit after the deploy did not reach the replica");
				}
				return new Sample(uploaded.get(), (System.nanoTime() - start) / 1e6);
			}
			finally {
				Engines.stop(engine);
			}
		}
	}

	private record Sample(long bytes, double millis) {
	}

}
