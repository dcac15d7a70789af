package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import io.github.litestream.sqlite.SqliteFiles;

/**
 * The files of one database of a replicated directory, as {@link DirectoryReplication} sees
 * them: which files are never candidates (SQLite's own files beside a database and hidden
 * entries; {@link TenantMatcher} applies the directory's pattern), and deleting one deletes its
 * SQLite files and the engine's state next to it.
 */
final class TenantFiles {

	private TenantFiles() {
	}

	/**
	 * Deletes a database's file, WAL, shared memory, journal and the engine's
	 * {@code .<name>-litestream} directory. A database reached through a symbolic link is the
	 * file the link reaches, with the WAL SQLite keeps beside it: that goes, then the link.
	 * @param file the database file
	 * @throws IOException if one cannot be deleted
	 */
	static void delete(Path file) throws IOException {
		Path target = SqliteFiles.resolved(file);
		if (!target.equals(file)) {
			deleteWithCompanions(target);
		}
		deleteWithCompanions(file);
		deleteTree(file.resolveSibling("." + file.getFileName() + "-litestream"));
	}

	private static void deleteWithCompanions(Path file) throws IOException {
		String name = file.getFileName().toString();
		for (String suffix : new String[] { "", "-wal", "-shm", "-journal" }) {
			Files.deleteIfExists(file.resolveSibling(name + suffix));
		}
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
