package io.github.litestream.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Keeps one measured step from paying for the previous one's disk work.
 */
final class Disk {

	private Disk() {
	}

	/**
	 * Writes back every dirty page ({@code sync}), so that the next step does not share the disk
	 * with the kernel's write-back of the last one: the restore benchmark's baseline left 280 MB
	 * of unforced output that made the restore after it up to twice as slow as the others.
	 * @throws Exception if {@code sync} cannot run or fails
	 */
	static void settle() throws Exception {
		Process sync = new ProcessBuilder("sync").inheritIO().start();
		if (sync.waitFor() != 0) {
			throw new IllegalStateException("sync failed with exit code " + sync.exitValue());
		}
	}

	/**
	 * Deletes a directory and everything in it, if it exists.
	 * @param dir the directory
	 * @throws IOException if something cannot be deleted
	 */
	static void delete(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

}
