package io.github.litestream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The stock Litestream v0.3 command-line tool, which the interop tests run as a child process.
 * The project never ships or builds it: the developer supplies one through
 * {@code -Dlitestream.bin=<path>}, then {@code LITESTREAM_BIN}, then a {@code litestream} on the
 * {@code PATH}; only a binary whose {@code version} starts with {@code v0.3.} counts. Without
 * one (as in CI) the tests that need it are skipped, saying how to run them (see {@link Installed}).
 */
public final class StockLitestream {

	/** The system property naming the binary. */
	public static final String PROPERTY = "litestream.bin";

	private final String binary;

	private StockLitestream(String binary) {
		this.binary = binary;
	}

	/** The tool this machine has, looked for once, or why there is none. */
	private static final Lookup FOUND = find();

	/**
	 * The tool, or the test is skipped saying why.
	 * @return the tool
	 */
	public static StockLitestream require() {
		if (FOUND.tool() == null) {
			Assumptions.abort(FOUND.missing());
		}
		return FOUND.tool();
	}

	private static Lookup find() {
		List<String> candidates = new ArrayList<>();
		List<String> rejected = new ArrayList<>();
		if (System.getProperty(PROPERTY) != null) {
			candidates.add(System.getProperty(PROPERTY));
		}
		if (System.getenv("LITESTREAM_BIN") != null) {
			candidates.add(System.getenv("LITESTREAM_BIN"));
		}
		candidates.add("litestream");
		for (String candidate : candidates) {
			String version = version(candidate);
			// Another tool named litestream, or a later Litestream whose replicas differ, proves nothing.
			if (version != null && version.startsWith("v0.3.")) {
				return new Lookup(new StockLitestream(candidate), null);
			}
			rejected.add(candidate + ((version != null) ? " (version " + version + ")" : " (not runnable)"));
		}
		return new Lookup(null, "No stock Litestream v0.3 CLI to check interop against (tried " + String.join(", ", rejected)
				+ "): set LITESTREAM_BIN=/path/to/litestream (or -D" + PROPERTY
				+ "=...) to a v0.3.x binary you built or downloaded to run this test");
	}

	/**
	 * Runs a test class only where the tool was found, and otherwise reports its tests as
	 * skipped with the reason: {@code @ExtendWith(StockLitestream.Installed.class)}.
	 */
	public static final class Installed implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			return (FOUND.tool() != null) ? ConditionEvaluationResult.enabled("stock Litestream CLI found")
					: ConditionEvaluationResult.disabled(FOUND.missing());
		}

	}

	/**
	 * Runs a command to its end and returns what it printed.
	 * @param environment variables added to this JVM's environment, such as credentials
	 * @param arguments the command's arguments, such as {@code restore -o out url}
	 * @return its standard output
	 * @throws IOException if it exits with a non-zero status (the message holds its stderr)
	 */
	public String run(Map<String, String> environment, String... arguments) throws IOException, InterruptedException {
		List<String> command = command(arguments);
		Path stderr = Files.createTempFile("litestream-stderr", ".txt");
		try {
			ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
			builder.environment().putAll(environment);
			Process process = builder.start();
			process.getOutputStream().close();
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(2, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				throw new IOException("'" + String.join(" ", command) + "' did not finish in 2 minutes");
			}
			if (process.exitValue() != 0) {
				throw new IOException("'" + String.join(" ", command) + "' exited with " + process.exitValue() + ": "
						+ (Files.readString(stderr) + out).trim());
			}
			return out;
		}
		finally {
			Files.delete(stderr);
		}
	}

	/**
	 * Runs a command without extra environment.
	 * @param arguments the command's arguments
	 * @return its standard output
	 * @throws IOException if it fails
	 */
	public String run(String... arguments) throws IOException, InterruptedException {
		return run(Map.of(), arguments);
	}

	/**
	 * Restores with {@code litestream restore -o <new file> <arguments>} and reads the result.
	 * @param scratch a directory for the restored file
	 * @param environment variables added to this JVM's environment, such as credentials
	 * @param arguments the options and the replica URL or database path
	 * @return the restored table's contents
	 * @throws IOException if the restore fails
	 */
	public TableContents restore(Path scratch, Map<String, String> environment, String... arguments) throws Exception {
		Path output = Files.createTempDirectory(scratch, "stock-restore").resolve("restored.db");
		List<String> command = new ArrayList<>(List.of("restore", "-o", output.toString()));
		command.addAll(List.of(arguments));
		run(environment, command.toArray(String[]::new));
		return TableContents.read(output);
	}

	/**
	 * Starts a long-running command, such as {@code replicate}, with its output going to a file.
	 * @param log the file that gets its standard output and error
	 * @param arguments the command's arguments
	 * @return the running process; {@link Process#destroy()} sends it SIGTERM
	 * @throws IOException if it cannot start
	 */
	public Process start(Path log, String... arguments) throws IOException {
		return new ProcessBuilder(command(arguments)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
	}

	/**
	 * The rows of a table the tool printed ({@code generations}, {@code snapshots}, {@code wal}):
	 * its columns split on white space, the header left out.
	 * @param output what the tool printed
	 * @return one array of columns per row
	 */
	public static List<List<String>> rows(String output) {
		List<List<String>> rows = new ArrayList<>();
		String[] lines = output.strip().split("\n");
		for (int i = 1; i < lines.length; i++) {
			rows.add(List.of(lines[i].strip().split("\\s+")));
		}
		return rows;
	}

	private List<String> command(String... arguments) {
		List<String> command = new ArrayList<>();
		command.add(this.binary);
		command.addAll(List.of(arguments));
		return command;
	}

	private static String version(String binary) {
		try {
			Process process = new ProcessBuilder(binary, "version").redirectErrorStream(true).start();
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			return (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0) ? out : null;
		}
		catch (IOException ex) {
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	private record Lookup(StockLitestream tool, String missing) {
	}

}
