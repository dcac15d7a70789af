package io.github.litestream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.RestoreResult;
import io.github.litestream.restore.Restorer;

/**
 * Restores a file replica holding one snapshot (half the data) and many WAL segments (the
 * other half) with parallelism 1, 8 and 16, against the raw limit: the {@code lz4} tool
 * decompressing the very same files into one output file.
 */
final class RestoreScenario implements Scenario {

	private static final String NAME = "restore";

	private static final int ROW_BYTES = 1000;

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		Path replicaDir = context.dir().resolve("replica");
		long segments = buildReplica(context.dir().resolve("app.db"), replicaDir, options);
		List<Path> files = lz4Files(replicaDir);
		long compressed = 0;
		for (Path file : files) {
			compressed += Files.size(file);
		}
		report.measure(NAME, "replica", "WAL segments", segments, "");
		report.measure(NAME, "replica", "compressed bytes", compressed / 1048576.0, "MiB");
		FileReplicaClient client = new FileReplicaClient(replicaDir);
		Path rawOut = context.dir().resolve("raw.out");
		long rawNanos = Lz4Cli.decompress(files, rawOut);
		long decompressed = Files.size(rawOut);
		Files.delete(rawOut);
		double rawRate = mibPerSecond(decompressed, rawNanos);
		report.measure(NAME, "baseline: lz4 -d of the same files", "decompressed", decompressed / 1048576.0, "MiB");
		report.measure(NAME, "baseline: lz4 -d of the same files", "throughput", rawRate, "MiB/s");
		for (int parallelism : new int[] { 1, 8, 16 }) {
			Path output = context.dir().resolve("restored-" + parallelism + ".db");
			long started = System.nanoTime();
			RestoreResult result = new Restorer().restore(client, RestoreOptions.latest(output).withParallelism(parallelism));
			long nanos = System.nanoTime() - started;
			String variant = "restore, parallelism " + parallelism;
			double rate = mibPerSecond(decompressed, nanos);
			report.measure(NAME, variant, "restored database", Files.size(output) / 1048576.0, "MiB");
			report.measure(NAME, variant, "WAL bytes applied", result.walBytes() / 1048576.0, "MiB");
			report.measure(NAME, variant, "time", nanos / 1e6, "ms");
			report.measure(NAME, variant, "throughput (same bytes as baseline)", rate, "MiB/s");
			report.verdict(NAME, "throughput / raw lz4 -d, parallelism " + parallelism, Report.format(rate / rawRate),
					">= 0.8", rate / rawRate >= 0.8);
			Files.delete(output);
		}
		report.note(NAME, "the restore also applies every WAL segment to the database, fsyncs and runs "
				+ "PRAGMA integrity_check; the raw baseline only decompresses and writes (no fsync)");
	}

	/** A database of about the configured size whose replica has a snapshot and many segments. */
	private static long buildReplica(Path db, Path replicaDir, HarnessOptions options) throws Exception {
		long half = options.restoreMib() * 1048576L / 2;
		try (Workload app = new Workload(db)) {
			app.bulkInsert(half, ROW_BYTES);
			app.execute("PRAGMA wal_checkpoint(TRUNCATE)");
			FileReplicaClient client = new FileReplicaClient(replicaDir);
			try (ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(db))) {
				database.open();
				Replica replica = new Replica(database, client, ReplicaOptions.defaults("file"));
				replica.sync();
				long perSegment = half / options.restoreSegments();
				for (int i = 0; i < options.restoreSegments(); i++) {
					app.bulkInsert(perSegment, ROW_BYTES);
					database.sync();
					replica.sync();
				}
			}
			String generation = client.generations().get(0);
			return client.walSegments(generation).size();
		}
	}

	private static List<Path> lz4Files(Path root) throws java.io.IOException {
		try (Stream<Path> files = Files.walk(root)) {
			return files.filter((file) -> file.toString().endsWith(".lz4")).sorted().toList();
		}
	}

	private static double mibPerSecond(long bytes, long nanos) {
		return bytes / 1048576.0 / (nanos / 1e9);
	}

}
