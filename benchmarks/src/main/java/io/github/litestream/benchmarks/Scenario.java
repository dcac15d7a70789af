package io.github.litestream.benchmarks;

import java.nio.file.Path;

/**
 * One end-to-end scenario: measures the engine and its baseline in the same run and reports
 * both, with a verdict against the target.
 */
interface Scenario {

	/**
	 * Runs the scenario.
	 * @param options sizes and durations
	 * @param context the shared S3 server and a scratch directory for this scenario
	 * @param report where results go
	 * @throws Exception if the scenario cannot run (the harness reports it and goes on)
	 */
	void run(HarnessOptions options, Context context, Report report) throws Exception;

	/**
	 * What a scenario gets from the harness.
	 *
	 * @param s3 S3Proxy in this JVM
	 * @param dir a fresh scratch directory, deleted afterwards
	 */
	record Context(S3Server s3, Path dir) {
	}

}
