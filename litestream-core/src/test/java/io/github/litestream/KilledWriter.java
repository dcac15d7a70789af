package io.github.litestream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a {@link ConsistentWriter} in a child JVM and kills it with SIGKILL, either right after
 * one of its first snapshots or at a random moment: what the crash tests and the benchmarks'
 * soak do each round.
 */
public final class KilledWriter {

	private KilledWriter() {
	}

	/**
	 * Writes into {@code dir/app.db}, logging to {@code dir/history.log}, until killed.
	 * @param writer {@link ConsistentWriter}, or a main class that runs it with another replica
	 * client (for {@code s3://bucket/path}: {@code S3ConsistentWriter} in litestream-replica-s3's
	 * tests)
	 * @param dir the directory for the database, the log and the child's stderr
	 * @param replica a replica directory, or {@code s3://bucket/path}
	 * @param s3Endpoint the S3 endpoint, or {@code null} for a directory
	 * @param environment variables for the child (S3 credentials)
	 * @param afterSnapshot whether to kill within 20 ms of its second to fourth snapshot
	 * (otherwise 0.3 to 2.5 s after its first)
	 * @param random where the moments come from
	 * @return when it was killed, in epoch milliseconds
	 * @throws IOException if the child cannot start, or stops before it is killed
	 * @throws InterruptedException if interrupted while waiting for it
	 */
	public static long run(Class<?> writer, Path dir, String replica, String s3Endpoint, Map<String, String> environment,
			boolean afterSnapshot, SplittableRandom random) throws IOException, InterruptedException {
		Path stderr = dir.resolve("writer.err");
		List<String> args = new ArrayList<>(List.of(dir.resolve("app.db").toString(), replica,
				dir.resolve("history.log").toString()));
		if (s3Endpoint != null) {
			args.add(s3Endpoint);
		}
		ProcessBuilder builder = ChildJvm.builder(writer, List.of("-Xmx128m"), args.toArray(String[]::new))
			.redirectError(stderr.toFile());
		builder.environment().putAll(environment);
		Process child = builder.start();
		long killedAt;
		try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
			int snapshots = afterSnapshot ? random.nextInt(2, 5) : 1;
			for (int seen = 0; seen < snapshots;) {
				String line = out.readLine();
				if (line == null) {
					throw new IOException("The writer stopped before it was killed; its stderr is in " + stderr);
				}
				seen += line.startsWith("snapshot ") ? 1 : 0;
			}
			long delayMillis = afterSnapshot ? random.nextInt(0, 20) : random.nextInt(300, 2500);
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(delayMillis));
		}
		finally {
			killedAt = System.currentTimeMillis();
			child.destroyForcibly();
		}
		if (!child.waitFor(30, TimeUnit.SECONDS) || child.exitValue() != 137) {
			throw new IOException("The writer did not end by SIGKILL (exit " + (child.isAlive() ? "none" : child.exitValue())
					+ "); its stderr is in " + stderr);
		}
		return killedAt;
	}

}
