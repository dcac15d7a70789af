package io.github.litestream.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The stock Litestream command-line tool, when this machine has one, as the same-run baseline of
 * a restore: {@code litestream restore} of the replica the engine restores, timed as a whole
 * process. Found through {@code -Dlitestream.bin=<path>}, then {@code LITESTREAM_BIN}, then a
 * {@code litestream} on the {@code PATH} whose {@code version} says it is Litestream v0.3.
 */
final class LitestreamCli {

	/** The system property naming the binary. */
	static final String PROPERTY = "litestream.bin";

	private final String binary;

	private final String version;

	private LitestreamCli(String binary, String version) {
		this.binary = binary;
		this.version = version;
	}

	/**
	 * Finds the tool.
	 * @return the tool, or empty if none of the places names a Litestream v0.3 binary
	 */
	static Optional<LitestreamCli> find() {
		List<String> candidates = new ArrayList<>();
		Optional.ofNullable(System.getProperty(PROPERTY)).ifPresent(candidates::add);
		Optional.ofNullable(System.getenv("LITESTREAM_BIN")).ifPresent(candidates::add);
		candidates.add("litestream");
		for (String candidate : candidates) {
			String version = version(candidate);
			// Another tool named litestream (or a later Litestream, whose replicas differ) is no baseline.
			if (version != null && version.startsWith("v0.3.")) {
				return Optional.of(new LitestreamCli(candidate, version));
			}
		}
		return Optional.empty();
	}

	/** What {@code litestream version} printed, such as {@code v0.3.14}. */
	String version() {
		return this.version;
	}

	/**
	 * Restores the latest state of a file replica, as {@code litestream restore -o … file://…}.
	 * @param replicaDir the replica's directory
	 * @param output the database to write (must not exist)
	 * @param parallelism the {@code -parallelism} flag
	 * @return how long the process took, start to exit, in nanoseconds
	 * @throws IOException if the tool fails
	 */
	long restoreFile(Path replicaDir, Path output, int parallelism) throws IOException, InterruptedException {
		return run(List.of(this.binary, "restore", "-parallelism", Integer.toString(parallelism), "-o",
				output.toString(), replicaDir.toUri().toString()), Map.of());
	}

	/**
	 * Restores the latest state of an S3 replica through a configuration file, which is how a
	 * v0.3 user names an endpoint other than AWS.
	 * @param url the replica's {@code s3://bucket/path} URL
	 * @param endpoint the store's endpoint
	 * @param credentials {@code LITESTREAM_ACCESS_KEY_ID} and {@code LITESTREAM_SECRET_ACCESS_KEY}
	 * @param output the database to write (must not exist)
	 * @param parallelism the {@code -parallelism} flag
	 * @return how long the process took, start to exit, in nanoseconds (writing the configuration excluded)
	 * @throws IOException if the tool fails
	 */
	long restoreS3(String url, String endpoint, Map<String, String> credentials, Path output, int parallelism)
			throws IOException, InterruptedException {
		URI replica = URI.create(url);
		Path config = output.resolveSibling("litestream-bench.yml");
		Files.writeString(config,
				String.join("\n", "dbs:", "  - path: " + output, "    replicas:", "      - type: s3",
						"        bucket: " + replica.getHost(), "        path: " + replica.getPath().substring(1),
						"        endpoint: " + endpoint, "        region: us-east-1", "        force-path-style: true",
						""),
				StandardCharsets.UTF_8);
		try {
			return run(List.of(this.binary, "restore", "-config", config.toString(), "-parallelism",
					Integer.toString(parallelism), "-o", output.toString(), output.toString()), credentials);
		}
		finally {
			Files.delete(config);
		}
	}

	private static long run(List<String> command, Map<String, String> environment)
			throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(ProcessBuilder.Redirect.INHERIT);
		builder.environment().putAll(environment);
		long started = System.nanoTime();
		Process process = builder.start();
		if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IOException("'" + String.join(" ", command) + "' failed (exit "
					+ (process.isAlive() ? "timeout" : process.exitValue()) + ")");
		}
		return System.nanoTime() - started;
	}

	private static String version(String binary) {
		try {
			Process process = new ProcessBuilder(binary, "version").redirectErrorStream(true).start();
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			return (process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0) ? out : null;
		}
		catch (IOException ex) {
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

}
