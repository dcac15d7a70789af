package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Starts a test class's {@code main} in a separate JVM with this test's class path. */
public final class ChildJvm {

	private ChildJvm() {
	}

	public static ProcessBuilder builder(Class<?> mainClass, List<String> jvmOptions, String... args) {
		Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
		List<String> command = new ArrayList<>();
		command.add(java.toString());
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

}
