package io.github.litestream.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The end-to-end benchmark harness. Every scenario measures the engine and a baseline in the
 * same run (the machine's load changes between runs; ratios survive it) and the results go to
 * {@code report.md} and {@code report.csv} in the output directory.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar io.github.litestream.benchmarks.Harness --quick --out target/bench-report
 * </pre>
 */
public final class Harness {

	private Harness() {
	}

	/**
	 * Runs the harness.
	 * @param args see {@link HarnessOptions#USAGE}
	 * @throws Exception if the report cannot be written
	 */
	public static void main(String[] args) throws Exception {
		HarnessOptions options;
		try {
			options = HarnessOptions.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		Report report = run(options, "Harness " + String.join(" ", args));
		System.out.println("Report: " + options.out().toAbsolutePath().resolve("report.md"));
		if (report.failures() > 0) {
			System.exit(1);
		}
	}

	/**
	 * Runs the chosen scenarios and writes the report.
	 * @param options what to run
	 * @param commandLine how it was started, for the report
	 * @return the report
	 * @throws Exception if the S3 server cannot start or the report cannot be written
	 */
	static Report run(HarnessOptions options, String commandLine) throws Exception {
		Map<String, Scenario> scenarios = new LinkedHashMap<>();
		scenarios.put("write", new WriteOverheadScenario());
		scenarios.put("lag", new ReplicationLagScenario());
		scenarios.put(ColdRestoreScenario.NAME, new ColdRestoreScenario());
		scenarios.put("restore", new RestoreScenario(false));
		scenarios.put(RestoreScenario.ENCRYPTION_ONLY, new RestoreScenario(true));
		scenarios.put("snapshot", new SnapshotScenario());
		scenarios.put("idle", new IdleCostScenario());
		scenarios.put(SoakScenario.NAME, new SoakScenario());
		scenarios.put(SynchronousCommitScenario.NAME, new SynchronousCommitScenario());
		scenarios.put(ManyDatabasesScenario.NAME, new ManyDatabasesScenario());
		scenarios.put(RedeployScenario.NAME, new RedeployScenario());
		scenarios.put(HandoverScenario.NAME, new HandoverScenario());
		Report report = new Report(commandLine);
		Path work = options.out().resolve("work");
		try (S3Server s3 = new S3Server()) {
			for (String name : options.scenarios()) {
				System.out.println("== " + name);
				Path dir = work.resolve(name);
				Disk.delete(dir);
				Files.createDirectories(dir);
				try {
					scenarios.get(name).run(options, new Scenario.Context(s3, dir), report);
				}
				catch (Exception ex) {
					ex.printStackTrace();
					report.failed(name, ex);
				}
				finally {
					Disk.delete(dir);
				}
				report.write(options.out());
			}
		}
		Disk.delete(work);
		report.write(options.out());
		return report;
	}

}
