package io.github.litestream.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where SQLite keeps a database's files. Its unix VFS follows every symbolic link of the
 * database's path and names the WAL, shared-memory and journal files after the file it
 * reaches: with {@code /data/app.db} a link to {@code /mnt/volume/app.db}, the WAL is
 * {@code /mnt/volume/app.db-wal}, not {@code /data/app.db-wal}. A container that links the
 * application's path into a mounted volume does just that.
 */
public final class SqliteFiles {

	/** As many links as a path may go through before the system gives up (Linux's limit). */
	private static final int MAX_LINKS = 40;

	private SqliteFiles() {
	}

	/**
	 * The database file SQLite reaches through a path, which may not exist yet: every
	 * symbolic link followed, a dangling last one included (SQLite creates its target).
	 * @param database the database's path
	 * @return the absolute path of the file itself
	 */
	public static Path resolved(Path database) {
		Path path = database.toAbsolutePath().normalize();
		for (int links = 0; links < MAX_LINKS; links++) {
			try {
				return path.toRealPath();
			}
			catch (IOException ex) {
				// Missing, or a dangling link: resolve the directory, then the link, by hand.
			}
			Path parent = realOrAsIs(path.getParent());
			Path file = parent.resolve(path.getFileName());
			if (!Files.isSymbolicLink(file)) {
				return file;
			}
			try {
				path = file.resolveSibling(Files.readSymbolicLink(file)).toAbsolutePath().normalize();
			}
			catch (IOException ex) {
				return file;
			}
		}
		return path;
	}

	/**
	 * The WAL SQLite writes for a database.
	 * @param database the database's path
	 * @return the {@code -wal} file beside the file the path reaches
	 */
	public static Path walOf(Path database) {
		Path file = resolved(database);
		return file.resolveSibling(file.getFileName() + "-wal");
	}

	private static Path realOrAsIs(Path directory) {
		try {
			return directory.toRealPath();
		}
		catch (IOException ex) {
			return directory;
		}
	}

	/**
	 * Renames a database file together with its {@code -wal} and {@code -shm} files, which
	 * SQLite finds by name: companions first, so that no crash between the renames leaves the
	 * database under its new name without the WAL that holds its latest commits.
	 * @param database the database file
	 * @param target its new name
	 * @throws IOException if a file cannot be renamed
	 */
	public static void moveWithCompanions(Path database, Path target) throws IOException {
		for (String suffix : new String[] { "-wal", "-shm", "" }) {
			Path file = Path.of(database + suffix);
			if (Files.exists(file)) {
				Files.move(file, Path.of(target + suffix));
			}
		}
	}

}
