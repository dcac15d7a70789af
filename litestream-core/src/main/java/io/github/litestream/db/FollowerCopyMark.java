package io.github.litestream.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import io.github.litestream.sqlite.SqliteFiles;

/**
 * The mark a follower leaves beside the database file it builds, {@code .<name>-follower-copy},
 * from just before the file first appears until the file is handed over. A follower writes
 * pages into the file in place, so a follower that stops part way (killed, interrupted, out of
 * memory) can leave a torn file, which SQLite opens without complaint. While the mark is there,
 * the engine refuses to replicate the file and a restore that would keep an existing file sets
 * it aside instead: nothing in such a file is not in the replica it came from.
 *
 * <p>The mark counts only while the database file exists: a follower killed between writing
 * the mark and putting its first restore in place leaves a mark alone, which means nothing.
 */
public final class FollowerCopyMark {

	private static final DateTimeFormatter ASIDE_SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
		.withZone(ZoneOffset.UTC);

	private FollowerCopyMark() {
	}

	/**
	 * The mark's file for a database: beside the file SQLite opens, through a link its target.
	 * @param database the database file
	 * @return the mark's path
	 */
	public static Path of(Path database) {
		Path file = SqliteFiles.resolved(database);
		return file.resolveSibling("." + file.getFileName() + "-follower-copy");
	}

	/**
	 * Marks a database file as a follower's copy not handed over yet; forced to disk before it
	 * returns, so that no page written after it can outlive it in a power loss.
	 * @param database the database file
	 * @param replicaLocation the replica followed, for the messages of whoever finds the mark
	 * @throws IOException if the mark cannot be written
	 */
	public static void mark(Path database, String replicaLocation) throws IOException {
		LocalState.writeAtomically(of(database), "a follower of " + replicaLocation + " (process "
				+ ProcessHandle.current().pid() + ", since " + Instant.now() + ")\n");
	}

	/**
	 * Removes the mark, once the file is one state of the replica and forced to disk.
	 * @param database the database file
	 * @throws IOException if the mark cannot be removed
	 */
	public static void clear(Path database) throws IOException {
		Path mark = of(database);
		if (Files.deleteIfExists(mark)) {
			LocalState.forceDirectory(mark.getParent());
		}
	}

	/**
	 * Who left the mark on an existing database file.
	 * @param database the database file
	 * @return the follower that wrote the file ("a follower of &lt;replica&gt; (process …)"), or
	 * empty if the file does not exist or is not marked
	 * @throws IOException if the mark cannot be read
	 */
	public static Optional<String> writer(Path database) throws IOException {
		if (!Files.exists(database)) {
			return Optional.empty();
		}
		try {
			String content = Files.readString(of(database), StandardCharsets.UTF_8).strip();
			return Optional.of(content.isEmpty() ? "a follower" : content);
		}
		catch (NoSuchFileException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Fails if a database file is a follower's copy not handed over; removes a mark left alone.
	 * @param database the database file
	 * @param action what was to be done with it, for the message ("replicate", say)
	 * @throws IOException naming the file, the mark and what to do
	 */
	public static void requireNone(Path database, String action) throws IOException {
		Optional<String> writer = writer(database);
		if (writer.isPresent()) {
			throw new IOException("Cannot " + action + " " + database + ": it is the copy of " + writer.get()
					+ ", not handed over (" + of(database) + " marks it): that follower still writes it, or it stopped "
					+ "part way and may have left the file torn. Stop the follower; or restore the database again: "
					+ "delete the file with its -wal and -shm files and the mark, or restore with if-db-not-exists, "
					+ "which sets such a file aside first (as the starter's restore-on-boot does when restore.enabled is "
					+ "true)");
		}
		if (!Files.exists(database)) {
			// A follower killed before its first restore was in place: the file created next is not its copy.
			clear(database);
		}
	}

	/**
	 * Keeps a marked file under another name ({@code app.db.follower-copy-<UTC time>}) with its
	 * {@code -wal} and {@code -shm} files, which SQLite opens by name, and removes the mark.
	 * Call it only while no follower can write the file (holding its restore lock).
	 * @param database the database file
	 * @param clock the clock for the name
	 * @return the file's new name
	 * @throws IOException if a file cannot be renamed
	 */
	public static Path setAside(Path database, Clock clock) throws IOException {
		Path aside = database.resolveSibling(database.getFileName() + ".follower-copy-" + ASIDE_SUFFIX.format(clock.instant()));
		SqliteFiles.moveWithCompanions(database, aside);
		clear(database);
		return aside;
	}

}
