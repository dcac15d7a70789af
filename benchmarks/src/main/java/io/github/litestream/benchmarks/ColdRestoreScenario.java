package io.github.litestream.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;

/**
 * Restore-on-boot as a user gets it: every measurement is a fresh JVM ({@link RestoreChild})
 * timed from process start until the restored database passed its integrity check (the time
 * to the process's exit is reported beside). From a file replica, and from S3Proxy running in a JVM of its
 * own (as a store would, not competing inside the restoring process). Variants show where a
 * cold JVM loses time: JIT tiers, a class-data-sharing archive, on JDK 25 an ahead-of-time cache,
 * download workers, sqlite-jdbc's native library pre-extracted. The same-run baselines are
 * {@code lz4 -d} of the same files and, when the machine has the stock tool
 * ({@link LitestreamCli}), {@code litestream restore -parallelism 8} of the same replicas, in the
 * same rotation; without the tool the verdicts use Litestream's times from issue 22 (another
 * machine's run).
 */
final class ColdRestoreScenario implements Scenario {

	static final String NAME = "cold-restore";

	/** Litestream v0.3.14's {@code restore -parallelism 8} of the replica, from a directory. */
	private static final double LITESTREAM_FILE_SECONDS = 1.96;

	/** The same from S3Proxy in another process. */
	private static final double LITESTREAM_S3_SECONDS = 3.81;

	/** The name of a variant that runs the stock tool rather than the engine. */
	private static final String LITESTREAM = "Litestream CLI, ";

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		Path replicaDir = context.dir().resolve("replica");
		long segments = RestoreScenario.buildReplica(context.dir().resolve("app.db"), replicaDir, options);
		List<Path> files = RestoreScenario.lz4Files(replicaDir);
		report.measure(NAME, "replica", "WAL segments", segments, "");
		report.measure(NAME, "replica", "WAL indexes", RestoreScenario.walIndexes(new FileReplicaClient(replicaDir)), "");
		try (S3ServerChild s3 = S3ServerChild.start()) {
			String secret = s3.secret();
			String[] location = { s3.url(), s3.endpoint() };
			Optional<LitestreamCli> litestream = LitestreamCli.find();
			RestoreScenario.copy(new FileReplicaClient(replicaDir), s3.replica("db", ReplicaOperationListener.NONE));
			Path cds = context.dir().resolve("restore.jsa");
			int p = RestoreOptions.DEFAULT_PARALLELISM;
			List<Variant> variants = new ArrayList<>(List.of(new Variant("file", List.of(), fileArgs(replicaDir), p),
					new Variant("file, -XX:TieredStopAtLevel=1", List.of("-XX:TieredStopAtLevel=1"),
							fileArgs(replicaDir), p),
					new Variant("file, parallelism 1", List.of(), fileArgs(replicaDir), 1),
					new Variant("file, SQLite library pre-extracted", preExtractedSqlite(context.dir()),
							fileArgs(replicaDir), p),
					new Variant("S3Proxy", List.of(), s3Args(location), p),
					new Variant("S3Proxy, parallelism 2", List.of(), s3Args(location), 2)));
			// The JVM archives classes from JARs only: the harness's jar, not a test run's class
			// directories.
			if (classPathIsJarsOnly()) {
				// The archive is what a user makes once with -XX:ArchiveClassesAtExit (training
				// run, untimed): the classes of an S3 restore cover a file restore's too.
				runChild(List.of("-XX:ArchiveClassesAtExit=" + cds), s3Args(location), p, context.dir(), secret);
				variants.add(new Variant("file, CDS archive", List.of("-XX:SharedArchiveFile=" + cds),
						fileArgs(replicaDir), p));
				variants.add(new Variant("S3Proxy, CDS archive", List.of("-XX:SharedArchiveFile=" + cds),
						s3Args(location), p));
			}
			else {
				report.note(NAME, "no CDS variants: the class path has directories, which a CDS archive cannot hold");
			}
			// JDK 25's ahead-of-time cache (JEP 483/515) also holds linked classes and method
			// profiles, so the JIT compiles the hot code at once; made by one untimed training run.
			if (classPathIsJarsOnly() && Runtime.version().feature() >= 25) {
				Path aot = context.dir().resolve("restore.aot");
				runChild(List.of("-XX:AOTCacheOutput=" + aot), s3Args(location), p, context.dir(), secret);
				variants.add(new Variant("file, AOT cache", List.of("-XX:AOTCache=" + aot), fileArgs(replicaDir), p));
				variants.add(new Variant("S3Proxy, AOT cache", List.of("-XX:AOTCache=" + aot), s3Args(location), p));
			}
			litestream.ifPresent((cli) -> {
				variants.add(new Variant(LITESTREAM + "file", List.of(), fileArgs(replicaDir), p));
				variants.add(new Variant(LITESTREAM + "S3Proxy", List.of(), s3Args(location), p));
			});
			Path rawOut = context.dir().resolve("raw.out");
			List<Double> raw = new ArrayList<>();
			Map<String, List<Double>> outside = new LinkedHashMap<>();
			Map<String, List<Double>> toExit = new LinkedHashMap<>();
			Map<String, List<Double>> inside = new LinkedHashMap<>();
			Map<String, List<Double>> jvm = new LinkedHashMap<>();
			Map<String, List<Double>> cpu = new LinkedHashMap<>();
			for (int round = 0; round < options.rounds(); round++) {
				raw.add(Lz4Cli.decompress(files, rawOut) / 1e9);
				Files.delete(rawOut);
				Disk.settle();
				for (int k = 0; k < variants.size(); k++) {
					Variant variant = variants.get((k + round) % variants.size());
					ChildRun run = variant.name().startsWith(LITESTREAM)
							? runLitestream(litestream.orElseThrow(), variant, context.dir(), s3)
							: runChild(variant.jvmOptions(), variant.args(), variant.parallelism(), context.dir(),
									secret);
					outside.computeIfAbsent(variant.name(), (key) -> new ArrayList<>()).add(run.seconds());
					toExit.computeIfAbsent(variant.name(), (key) -> new ArrayList<>()).add(run.exitSeconds());
					inside.computeIfAbsent(variant.name(), (key) -> new ArrayList<>()).add(run.restoreSeconds());
					jvm.computeIfAbsent(variant.name(), (key) -> new ArrayList<>()).add(run.jvmSeconds());
					cpu.computeIfAbsent(variant.name(), (key) -> new ArrayList<>()).add(run.cpuSeconds());
				}
			}
			double rawSeconds = Stats.median(raw);
			report.measure(NAME, "baseline: lz4 -d of the same files", "median time", rawSeconds, "s");
			Map<String, Double> baselines = new LinkedHashMap<>();
			for (String replica : List.of("file", "S3Proxy")) {
				baselines.put(replica, litestream.isPresent() ? Stats.median(outside.get(LITESTREAM + replica))
						: (replica.equals("file") ? LITESTREAM_FILE_SECONDS : LITESTREAM_S3_SECONDS));
			}
			String against = litestream.map((cli) -> "Litestream " + cli.version() + " (same run)")
				.orElse("Litestream's in issue 22 (other run)");
			for (Variant variant : variants) {
				double seconds = Stats.median(outside.get(variant.name()));
				report.measure(NAME, variant.name(), "process start to restored and checked (median)", seconds, "s");
				report.measure(NAME, variant.name(), "time / lz4 -d (same run)", seconds / rawSeconds, "");
				if (variant.name().startsWith(LITESTREAM)) {
					continue;
				}
				report.measure(NAME, variant.name(), "process start to exit (median)",
						Stats.median(toExit.get(variant.name())), "s");
				report.measure(NAME, variant.name(), "restore inside the child (median)",
						Stats.median(inside.get(variant.name())), "s");
				report.measure(NAME, variant.name(), "JVM start to main (median)", Stats.median(jvm.get(variant.name())),
						"s");
				report.measure(NAME, variant.name(), "CPU time of the child (median)",
						Stats.median(cpu.get(variant.name())), "s");
				double baseline = baselines.get(variant.name().startsWith("file") ? "file" : "S3Proxy");
				report.measure(NAME, variant.name(), "time / " + against, seconds / baseline, "");
			}
			for (String headline : List.of("file", "S3Proxy")) {
				double seconds = Stats.median(outside.get(headline));
				double baseline = baselines.get(headline);
				report.verdict(NAME, "fresh-JVM restore-on-boot, " + headline + ", vs " + against + ", "
						+ Report.format(baseline) + " s", Report.format(seconds) + " s, ratio "
						+ Report.format(seconds / baseline), "<= 0.5", seconds / baseline <= 0.5);
			}
			report.note(NAME, "each measurement is a new JVM (java " + Runtime.version() + ") restoring the latest "
					+ "state with the integrity check, timed from process start until the restored file passed its "
					+ "check (the child reports when, on the monotonic clock both processes read); medians of "
					+ options.rounds() + " round(s), the variants' order rotating; S3Proxy runs in its own JVM; "
					+ "the CDS archive comes from one untimed training run with -XX:ArchiveClassesAtExit (on JDK 25 "
					+ "the AOT cache from one with -XX:AOTCacheOutput); "
					+ litestream.map((cli) -> "Litestream " + cli.version() + " restores the same replicas in the "
							+ "rotation (-parallelism " + p + ", timed from process start to exit; it runs no "
							+ "integrity check)")
						.orElse("no Litestream v0.3 binary here (-D" + LitestreamCli.PROPERTY + "=<path>, "
								+ "LITESTREAM_BIN or PATH): the verdicts use the issue's times ("
								+ LITESTREAM_FILE_SECONDS + " s file, " + LITESTREAM_S3_SECONDS + " s S3Proxy)"));
		}
	}

	/**
	 * The options of a JVM that finds sqlite-jdbc's native library where a container image put
	 * it at build time, with its own empty temporary directory: sqlite-jdbc then neither lists
	 * the temporary directory for stale copies (thousands on a machine whose tests kill JVMs)
	 * nor extracts and compares its library at the first connection.
	 */
	private static List<String> preExtractedSqlite(Path dir) throws IOException {
		String name = "libsqlitejdbc.so";
		Path library = Files.createDirectories(dir.resolve("sqlite-native")).resolve(name);
		String resource = "/org/sqlite/native/" + org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS() + "/"
				+ name;
		try (java.io.InputStream in = ColdRestoreScenario.class.getResourceAsStream(resource)) {
			if (in == null) {
				throw new IOException("sqlite-jdbc has no " + resource + " for this platform");
			}
			Files.copy(in, library);
		}
		Path tmp = Files.createDirectories(dir.resolve("sqlite-tmp"));
		return List.of("-Dorg.sqlite.lib.path=" + library.getParent(), "-Dorg.sqlite.lib.name=" + name,
				"-Dorg.sqlite.tmpdir=" + tmp);
	}

	private static List<String> fileArgs(Path replicaDir) {
		return List.of("file", replicaDir.toString());
	}

	private static List<String> s3Args(String[] location) {
		return List.of("s3", location[0], location[1]);
	}

	/** One restore in a new JVM; the output is deleted and the disk settled afterwards. */
	private static ChildRun runChild(List<String> jvmOptions, List<String> args, int parallelism, Path dir,
			String secret) throws Exception {
		Path output = dir.resolve("restored.db");
		// A container starts with an empty temporary directory. This machine's /tmp holds the
		// native libraries that sqlite-jdbc and lz4-java extracted for JVMs the tests killed
		// (they are removed only at a clean exit), and both libraries list it at every start.
		Path tmp = Files.createDirectories(dir.resolve("child-tmp"));
		List<String> command = new ArrayList<>();
		command.add(S3ServerChild.java());
		command.add("-Djava.io.tmpdir=" + tmp);
		command.addAll(jvmOptions);
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), RestoreChild.class.getName()));
		command.addAll(args);
		command.addAll(List.of(output.toString(), Integer.toString(parallelism)));
		ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
		builder.environment().put(S3ServerProcess.SECRET_VARIABLE, secret);
		long started = System.nanoTime();
		Process child = builder.start();
		String line;
		try (BufferedReader out = new BufferedReader(
				new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
			// Every line is read: a child whose output pipe closed early fails to log at exit.
			line = out.lines().filter((l) -> l.startsWith("mainNanos=")).reduce((first, last) -> last).orElse(null);
		}
		int exit = child.waitFor();
		long nanos = System.nanoTime() - started;
		if (exit != 0 || line == null || !Files.exists(output)) {
			throw new IOException("The restore child failed (exit " + exit + "): " + command);
		}
		Files.delete(output);
		Disk.delete(tmp);
		Disk.settle();
		String[] parts = line.split(" ");
		long main = Long.parseLong(parts[0].substring("mainNanos=".length())) - started;
		long restored = Long.parseLong(parts[1].substring("restoredNanos=".length())) - started;
		if (main <= 0 || restored < main || restored > nanos) {
			throw new IOException("The restore child's clock is not this process's: mainNanos and restoredNanos "
					+ "fall outside the child's lifetime (" + line + ")");
		}
		return new ChildRun(restored / 1e9, nanos / 1e9, main / 1e9, (restored - main) / 1e9,
				Long.parseLong(parts[2].substring("cpuNanos=".length())) / 1e9);
	}

	/** One {@code litestream restore} of the variant's replica; the output is deleted and the disk settled. */
	private static ChildRun runLitestream(LitestreamCli cli, Variant variant, Path dir, S3ServerChild s3)
			throws Exception {
		Path output = dir.resolve("restored.db");
		long nanos = variant.args().get(0).equals("file")
				? cli.restoreFile(Path.of(variant.args().get(1)), output, variant.parallelism())
				: cli.restoreS3(s3.url(), s3.endpoint(), s3.litestreamCredentials(), output, variant.parallelism());
		if (!Files.exists(output)) {
			throw new IOException("litestream restore exited without writing " + output);
		}
		for (String suffix : List.of("", "-wal", "-shm")) {
			Files.deleteIfExists(Path.of(output + suffix));
		}
		Disk.settle();
		return new ChildRun(nanos / 1e9, nanos / 1e9, Double.NaN, Double.NaN, Double.NaN);
	}

	private static boolean classPathIsJarsOnly() {
		return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
			.allMatch((entry) -> entry.endsWith(".jar"));
	}

	private record Variant(String name, List<String> jvmOptions, List<String> args, int parallelism) {
	}

	/**
	 * One child's figures.
	 * @param seconds from starting the process to the restored, checked file
	 * @param exitSeconds from starting the process to its exit
	 * @param jvmSeconds from starting the process to {@code main}
	 * @param restoreSeconds the restore itself
	 * @param cpuSeconds the child's CPU time when the restore ended (plus reading it)
	 */
	private record ChildRun(double seconds, double exitSeconds, double jvmSeconds, double restoreSeconds,
			double cpuSeconds) {
	}

}
