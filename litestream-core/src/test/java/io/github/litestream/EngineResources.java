package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a test process holds that an engine may leave behind: descriptors on a database's files
 * (read from {@code /proc/self/fd}, so Linux only) and the lease renewal threads.
 */
final class EngineResources {

	private EngineResources() {
	}

	/**
	 * The descriptors this process has open on a database's files (deleted ones too) and on the
	 * engine's state next to them.
	 * @param directory the database's directory
	 * @param name the database file's name
	 * @return the targets of those descriptors
	 */
	static List<String> descriptorsOn(Path directory, String name) throws IOException {
		String file = directory.toRealPath().resolve(name).toString();
		String state = directory.toRealPath().resolve("." + name + "-litestream").toString();
		try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
			return descriptors.map((descriptor) -> {
				try {
					return Files.readSymbolicLink(descriptor).toString();
				}
				catch (IOException ex) {
					// Closed while listed.
					return "";
				}
			}).filter((target) -> target.startsWith(file) || target.startsWith(state)).toList();
		}
	}

	/** The live lease renewal threads of every engine in this process. */
	static Set<Thread> leaseThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().startsWith("litestream-lease-") && thread.isAlive())
			.collect(Collectors.toSet());
	}

}
