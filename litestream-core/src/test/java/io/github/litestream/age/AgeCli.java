package io.github.litestream.age;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * The {@code age} and {@code age-keygen} command-line tools (Debian package {@code age}), for
 * interoperability tests; a test using them is skipped, saying why, where they are missing.
 */
public final class AgeCli {

	private AgeCli() {
	}

	/** Skips the calling test when the {@code age} tools are not installed. */
	public static void assumeInstalled() {
		Assumptions.assumeTrue(installed("age") && installed("age-keygen"),
				"the age command-line tools are not installed (Debian package 'age'; .ci/run installs it)");
	}

	private static boolean installed(String tool) {
		try {
			Process process = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
			process.getInputStream().readAllBytes();
			return process.waitFor(10, TimeUnit.SECONDS);
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
	 * Writes a new identity file with {@code age-keygen}.
	 * @param file where the identity goes
	 * @return its public recipient, as {@code age-keygen -y} prints it
	 */
	public static String keygen(Path file) throws IOException, InterruptedException {
		run(List.of("age-keygen", "-o", file.toString()));
		return new String(run(List.of("age-keygen", "-y", file.toString())), StandardCharsets.US_ASCII).trim();
	}

	/**
	 * Decrypts a file with {@code age -d -i identity}.
	 * @return the plaintext
	 */
	public static byte[] decrypt(Path identity, Path encrypted) throws IOException, InterruptedException {
		return run(List.of("age", "-d", "-i", identity.toString(), encrypted.toString()));
	}

	/**
	 * Encrypts a file with {@code age -r recipient…}.
	 * @return the age file
	 */
	public static byte[] encrypt(List<String> recipients, Path plaintext) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("age"));
		recipients.forEach((recipient) -> command.addAll(List.of("-r", recipient)));
		command.add(plaintext.toString());
		return run(command);
	}

	private static byte[] run(List<String> command) throws IOException, InterruptedException {
		Path output = Files.createTempFile("age-cli", ".out");
		try {
			Process process = new ProcessBuilder(command).redirectOutput(output.toFile())
				.redirectError(ProcessBuilder.Redirect.INHERIT)
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
				.start();
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IOException(command.get(0) + " did not finish within 60 s");
			}
			if (process.exitValue() != 0) {
				throw new IOException(command + " exited with " + process.exitValue());
			}
			return Files.readAllBytes(output);
		}
		finally {
			Files.deleteIfExists(output);
		}
	}

}
