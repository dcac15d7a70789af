package io.github.litestream;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of one database of a replicated directory, as {@link DirectoryReplication} sees
 * them: which files of the directory are candidates (SQLite's own files beside a database and
 * hidden entries are not), and deleting one deletes its SQLite files and the engine's state next
 * to it.
 */
final class TenantFiles {

	private TenantFiles() {
	}

	/**
	 * Deletes a database's file, WAL, shared memory, journal and the engine's
	 * {@code .<name>-litestream} directory.
	 * @param file the database file
	 * @throws IOException if one cannot be deleted
	 */
	static void delete(Path file) throws IOException {
		String name = file.getFileName().toString();
		for (String suffix : new String[] { "", "-wal", "-shm", "-journal" }) {
			Files.deleteIfExists(file.resolveSibling(name + suffix));
		}
		deleteTree(file.resolveSibling("." + name + "-litestream"));
	}

	/**
	 * SQLite's own files beside a database (its {@code -wal}, {@code -shm} or {@code -journal}
	 * while the database itself is there), which a broad pattern ({@code tenant-*}) matches too:
	 * registering one would open a database on a WAL or shared-memory file.
	 */
	static boolean sqliteCompanion(Path path) {
		String name = path.getFileName().toString();
		for (String suffix : new String[] { "-wal", "-shm", "-journal" }) {
			if (name.endsWith(suffix) && name.length() > suffix.length()
					&& Files.exists(path.resolveSibling(name.substring(0, name.length() - suffix.length())))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Lists a directory's candidate databases: regular files whose name matches the pattern,
	 * neither hidden (nor under a hidden directory) nor SQLite's own files beside a database.
	 * @param directory an absolute, normalized directory
	 * @param pattern matched against file names
	 * @param recursive whether to look in subdirectories too
	 * @return the files by their {@link #relative} path
	 * @throws IOException if the directory cannot be listed
	 */
	static Map<String, Path> list(Path directory, PathMatcher pattern, boolean recursive) throws IOException {
		Map<String, Path> found = new HashMap<>();
		if (!Files.isDirectory(directory)) {
			throw new NoSuchFileException(directory.toString(), null, "not a directory");
		}
		Files.walkFileTree(directory, Set.of(), recursive ? Integer.MAX_VALUE : 1, new SimpleFileVisitor<>() {

			@Override
			public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
				return (!dir.equals(directory) && hidden(dir)) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
				if (attrs.isRegularFile() && !hidden(file) && !sqliteCompanion(file)
						&& pattern.matches(file.getFileName())) {
					found.put(relative(directory, file), file);
				}
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult visitFileFailed(Path file, IOException ex) {
				// A file or subdirectory removed while listing: the next scan sees the rest.
				return FileVisitResult.CONTINUE;
			}

		});
		return found;
	}

	/** A file's path relative to the directory, {@code /}-separated. */
	static String relative(Path directory, Path file) {
		return directory.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
	}

	/** A name starting with a dot: the engine's own {@code .<db>-litestream}, a restore's temporary files. */
	static boolean hidden(Path path) {
		return path.getFileName().toString().startsWith(".");
	}

	/** The file's size, or -1 if it cannot be read (gone meanwhile). */
	static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private static void deleteTree(Path root) throws IOException {
		if (!Files.exists(root)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

}
