package io.github.litestream.benchmarks;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Snapshots a large database in a child JVM with a small heap, against the raw limit: the
 * {@code lz4} tool compressing the same file. The file is read once beforehand so both start
 * with it in the page cache.
 */
final class SnapshotScenario implements Scenario {

	private static final String NAME = "snapshot";

	private static final long CHUNK = 64L * 1048576;

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		Path db = context.dir().resolve("big.db");
		long size = (long) options.snapshotMib() * 1048576;
		try (Workload app = new Workload(db)) {
			for (long written = 0; written < size; written += CHUNK) {
				app.bulkInsert(Math.min(CHUNK, size - written), 1000);
				app.execute("PRAGMA wal_checkpoint(TRUNCATE)");
			}
		}
		long bytes = Files.size(db);
		warm(db);
		long rawNanos = Lz4Cli.compress(db, context.dir().resolve("raw.lz4"));
		long rawCompressed = Files.size(context.dir().resolve("raw.lz4"));
		Files.delete(context.dir().resolve("raw.lz4"));
		double rawRate = bytes / 1048576.0 / (rawNanos / 1e9);
		report.measure(NAME, "database", "size", bytes / 1048576.0, "MiB");
		report.measure(NAME, "baseline: lz4 -c", "time", rawNanos / 1e6, "ms");
		report.measure(NAME, "baseline: lz4 -c", "compressed", rawCompressed / 1048576.0, "MiB");
		report.measure(NAME, "baseline: lz4 -c", "throughput", rawRate, "MiB/s");
		String variant = "snapshot, -Xmx" + options.snapshotHeap();
		Map<String, Long> child = runChild(db, context.dir().resolve("replica"), options.snapshotHeap());
		if (child == null) {
			report.verdict(NAME, variant + " succeeds", "failed", "succeeds", false);
			return;
		}
		double rate = bytes / 1048576.0 / (child.get("nanos") / 1e9);
		report.measure(NAME, variant, "time", child.get("nanos") / 1e6, "ms");
		report.measure(NAME, variant, "compressed", child.get("snapshotBytes") / 1048576.0, "MiB");
		report.measure(NAME, variant, "peak heap (sum of pool peaks)", child.get("peakHeap") / 1048576.0, "MiB");
		report.measure(NAME, variant, "max heap", child.get("maxHeap") / 1048576.0, "MiB");
		report.measure(NAME, variant, "throughput", rate, "MiB/s");
		report.verdict(NAME, variant + " succeeds", "succeeded", "succeeds", true);
		report.verdict(NAME, "snapshot throughput / raw lz4", Report.format(rate / rawRate), ">= 0.8", rate / rawRate >= 0.8);
		report.note(NAME, "the snapshot is timed inside the child JVM (JIT warm-up included, JVM start-up not); "
				+ "it writes to a file replica on the same disk, as lz4 writes its output");
	}

	private static void warm(Path file) throws java.io.IOException {
		try (InputStream in = Files.newInputStream(file)) {
			in.transferTo(OutputStream.nullOutputStream());
		}
	}

	private static Map<String, Long> runChild(Path db, Path replica, String heap) throws Exception {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		Process process = new ProcessBuilder(List.of(java.toString(), "-Xmx" + heap, "-cp",
				System.getProperty("java.class.path"), SnapshotChild.class.getName(), db.toString(), replica.toString()))
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes());
		if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
			process.destroyForcibly();
			System.err.println("Snapshot child failed:\n" + output);
			return null;
		}
		Map<String, Long> values = new HashMap<>();
		for (String line : output.split("\n")) {
			if (line.startsWith("nanos=")) {
				for (String pair : line.trim().split(" ")) {
					String[] kv = pair.split("=");
					values.put(kv[0], Long.parseLong(kv[1]));
				}
			}
		}
		return values;
	}

}
