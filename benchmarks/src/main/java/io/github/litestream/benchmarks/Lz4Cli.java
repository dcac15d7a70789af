package io.github.litestream.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code lz4} command-line tool as the raw baseline: what the same work costs with no
 * replication engine around it.
 */
final class Lz4Cli {

	private Lz4Cli() {
	}

	/**
	 * Whether {@code lz4} can be run.
	 * @return {@code true} if {@code lz4 --version} succeeds
	 */
	static boolean available() {
		try {
			return new ProcessBuilder("lz4", "--version").redirectErrorStream(true).start().waitFor() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Decompresses LZ4 files one after another into one output file.
	 * @param inputs the compressed files
	 * @param output the file to write
	 * @return how long it took, in nanoseconds
	 * @throws IOException if the tool fails
	 */
	static long decompress(List<Path> inputs, Path output) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("sh", "-c", "cat \"$@\" | lz4 -d -c > \"$0\"", output.toString()));
		inputs.forEach((input) -> command.add(input.toString()));
		return run(command);
	}

	/**
	 * Compresses a file at the default (fastest) level.
	 * @param input the file
	 * @param output the compressed file to write
	 * @return how long it took, in nanoseconds
	 * @throws IOException if the tool fails
	 */
	static long compress(Path input, Path output) throws IOException, InterruptedException {
		return run(List.of("lz4", "-q", "-c", input.toString()), output);
	}

	private static long run(List<String> command, Path output) throws IOException, InterruptedException {
		long started = System.nanoTime();
		Process process = new ProcessBuilder(command).redirectOutput(output.toFile())
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		finish(process, command);
		return System.nanoTime() - started;
	}

	private static long run(List<String> command) throws IOException, InterruptedException {
		long started = System.nanoTime();
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		finish(process, command);
		return System.nanoTime() - started;
	}

	private static void finish(Process process, List<String> command) throws IOException, InterruptedException {
		if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IOException("'" + command.get(0) + " " + command.get(1) + " …' failed (exit "
					+ (process.isAlive() ? "timeout" : process.exitValue()) + ")");
		}
	}

}
