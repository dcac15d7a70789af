package io.github.litestream.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.github.litestream.sqlite.WalHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database file that holds nothing: zero bytes, and no WAL with a frame in it. A {@code touch}
 * in a container's entrypoint leaves one, and so does an application that opened its database
 * and stopped before its first write. Restore-on-boot takes it for a missing file: restoring
 * over it loses nothing, while keeping it would begin a new, empty generation, which later
 * restores then prefer to the real history (until retention deletes that history).
 */
public final class EmptyDatabaseFile {

	private static final Logger logger = LoggerFactory.getLogger(EmptyDatabaseFile.class);

	private EmptyDatabaseFile() {
	}

	/**
	 * Removes a database file and its SQLite siblings if the file holds nothing. Only for a file
	 * no connection has open, as at an application's start: SQLite would go on writing to the
	 * removed file.
	 * @param database the database file
	 * @return whether it held nothing and was removed
	 * @throws IOException if it cannot be read or removed
	 */
	public static boolean removeIfEmpty(Path database) throws IOException {
		if (!Files.isRegularFile(database) || Files.size(database) != 0 || walHoldsFrames(database)) {
			return false;
		}
		for (String suffix : new String[] { "-wal", "-shm", "-journal" }) {
			Files.deleteIfExists(Path.of(database + suffix));
		}
		Files.delete(database);
		logger.warn("{} was an empty file (0 bytes, no WAL frames); restoring it as if it were missing. Create a "
				+ "database by opening it with SQLite, not by creating an empty file", database);
		return true;
	}

	private static boolean walHoldsFrames(Path database) throws IOException {
		try {
			return Files.size(Path.of(database + "-wal")) > WalHeader.SIZE;
		}
		catch (NoSuchFileException ex) {
			return false;
		}
	}

}
