package io.github.litestream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Starts a test class's {@code main} in a separate JVM with this test's class path.
 *
 * <p>The children share a temporary directory of their own, removed when this JVM exits:
 * sqlite-jdbc and lz4-java extract their native libraries there and remove them only at a clean
 * exit, so every child a test kills would otherwise leave two libraries in {@code /tmp}, which
 * both libraries list again at every JVM's start.
 */
public final class ChildJvm {

	private static Path temporaryDirectory;

	private ChildJvm() {
	}

	public static ProcessBuilder builder(Class<?> mainClass, List<String> jvmOptions, String... args) {
		Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
		List<String> command = new ArrayList<>();
		command.add(java.toString());
		command.add("-Djava.io.tmpdir=" + temporaryDirectory());
		command.addAll(jvmOptions);
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(mainClass.getName());
		command.addAll(List.of(args));
		return new ProcessBuilder(command);
	}

	public static Process start(Class<?> mainClass, List<String> jvmOptions, String... args) throws IOException {
		return builder(mainClass, jvmOptions, args).redirectError(ProcessBuilder.Redirect.INHERIT).start();
	}

	private static synchronized Path temporaryDirectory() {
		if (temporaryDirectory == null) {
			try {
				temporaryDirectory = Files.createTempDirectory("litestream-test-children-");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			Path created = temporaryDirectory;
			Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(created)));
		}
		return temporaryDirectory;
	}

	private static void deleteQuietly(Path dir) {
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException | UncheckedIOException ex) {
			// Only temporary files: what is left, the system's cleaning removes.
		}
	}

}
