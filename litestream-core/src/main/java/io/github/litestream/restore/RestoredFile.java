package io.github.litestream.restore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temporary file a restore builds beside the database, and how it is put in its place:
 * never over a file that appeared meanwhile, never with another database's {@code -wal},
 * {@code -shm} or {@code -journal} beside it, and only if the name is still the file this
 * restore wrote.
 */
final class RestoredFile {

	private static final Logger logger = LoggerFactory.getLogger(RestoredFile.class);

	private static final DateTimeFormatter ORPHANED_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
		.withZone(ZoneOffset.UTC);

	private final Path output;

	private final Path temporary;

	/** The restore's temporary files, removed at its end: files set aside join them. */
	private final Queue<Path> temporaryFiles;

	/** The identity of the file this restore writes, to tell it from one put at its name since. */
	private Object key;

	RestoredFile(Path output, Path temporary, Queue<Path> temporaryFiles) {
		this.output = output;
		this.temporary = temporary;
		this.temporaryFiles = temporaryFiles;
	}

	/**
	 * Creates the empty temporary file.
	 * @throws IOException if it exists or cannot be created
	 */
	void create() throws IOException {
		Files.createFile(this.temporary);
		this.key = fileKey(this.temporary);
	}

	/**
	 * Puts the checked, forced database into place. A hard link is created at the output
	 * path, which fails if a file appeared there meanwhile (a rename would replace it); the
	 * temporary name is removed afterwards. Stale {@code -wal}, {@code -shm} and
	 * {@code -journal} files are set aside first, since SQLite would replay a stale WAL (or play a
	 * hot journal back) into the restored file, and put back if the link fails; those with content
	 * under a name they keep ({@link #setAsideStaleFiles()}). Where the file system has no hard
	 * links, an atomic rename after an existence check is the fallback.
	 */
	void install() throws IOException {
		requireOwn();
		requireNoOutput();
		List<Path[]> setAside = setAsideStaleFiles();
		try {
			if (!setAside.isEmpty()) {
				// On disk before the new name: a power loss must not leave a stale WAL beside it.
				forceDirectory(this.output.toAbsolutePath().getParent());
			}
			link();
		}
		catch (IOException | RuntimeException ex) {
			putBack(setAside);
			throw ex;
		}
		for (Path[] moved : setAside) {
			if (this.temporaryFiles.contains(moved[1])) {
				// Installed: the restore's clean-up removes it if this fails.
				try {
					Files.deleteIfExists(moved[1]);
				}
				catch (IOException ex) {
					logger.debug("Could not remove {} yet: {}", moved[1], ex.toString());
				}
			}
			else {
				logger.warn("{} was beside the missing database, and may hold the last commits of a database deleted or "
						+ "moved without it: it is kept as {}, where SQLite never reads it, and {} is restored without "
						+ "it; delete it once nothing in it is needed", moved[0], moved[1], this.output);
			}
		}
		deleteTree(this.output.resolveSibling("." + this.output.getFileName() + "-litestream"));
		forceDirectory(this.output.toAbsolutePath().getParent());
	}

	private void link() throws IOException {
		try {
			Files.createLink(this.output, this.temporary);
		}
		catch (FileAlreadyExistsException ex) {
			throw appeared();
		}
		catch (UnsupportedOperationException | IOException ex) {
			logger.debug("Cannot hard-link {} ({}); renaming it instead", this.output, ex.toString());
			requireNoOutput();
			Files.move(this.temporary, this.output, StandardCopyOption.ATOMIC_MOVE);
			return;
		}
		// Installed: a failure from here on must not put the old -wal and -shm back beside it.
		try {
			Files.delete(this.temporary);
		}
		catch (IOException ex) {
			logger.warn("Restored {}, but could not remove the second name {}: {}", this.output,
					this.temporary, ex.toString());
		}
	}

	/**
	 * Fails if the temporary file was removed (or replaced) since this restore created it: a
	 * second restore of the same database removes the first one's files as leftovers, and this
	 * one's writes then went to an unnamed file. Checking or linking the name would find
	 * another file, or none.
	 */
	void requireOwn() throws IOException {
		Object key;
		try {
			key = fileKey(this.temporary);
		}
		catch (NoSuchFileException ex) {
			key = null;
		}
		if (this.key != null && !this.key.equals(key)) {
			throw removedWhileRestoring();
		}
	}

	RestoreException removedWhileRestoring() {
		return new RestoreException("Cannot restore to " + this.output + ": its temporary file "
				+ this.temporary + " was removed while restoring; make sure only one restore of the "
				+ "database runs at a time");
	}

	private static Object fileKey(Path file) throws IOException {
		return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
	}

	private void requireNoOutput() throws RestoreException {
		if (Files.exists(this.output, LinkOption.NOFOLLOW_LINKS)) {
			throw appeared();
		}
	}

	private RestoreException appeared() {
		return new RestoreException("Cannot restore to " + this.output + ": the file appeared while restoring; "
				+ "make sure nothing else creates the database before the restore finishes");
	}

	/**
	 * Moves stale {@code -wal}, {@code -shm} and {@code -journal} files aside: pairs of (from, to).
	 * A {@code -wal} or {@code -journal} with content may hold the last commits of a database
	 * deleted or moved without it, so it goes straight to a name it keeps (which SQLite never
	 * opens and no clean-up removes, whatever happens next); an {@code -shm} or an empty file
	 * holds no data and goes to a temporary name.
	 */
	private List<Path[]> setAsideStaleFiles() throws IOException {
		List<Path[]> moved = new ArrayList<>();
		// A rollback journal too: SQLite would play a hot one back into the restored file.
		for (String suffix : List.of("-wal", "-shm", "-journal")) {
			Path stale = sibling(this.output, suffix);
			if (Files.exists(stale, LinkOption.NOFOLLOW_LINKS)) {
				Path aside;
				if (!suffix.equals("-shm") && Files.size(stale) > 0) {
					aside = unusedName(stale, ORPHANED_STAMP.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
				}
				else {
					aside = sibling(this.temporary, ".stale" + suffix);
					this.temporaryFiles.add(aside);
				}
				Files.move(stale, aside, StandardCopyOption.ATOMIC_MOVE);
				moved.add(new Path[] { stale, aside });
			}
		}
		return moved;
	}

	private static Path unusedName(Path stale, String stamp) {
		for (int n = 1;; n++) {
			Path kept = stale.resolveSibling(stale.getFileName() + ".orphaned-" + stamp + ((n > 1) ? "-" + n : ""));
			if (Files.notExists(kept, LinkOption.NOFOLLOW_LINKS)) {
				return kept;
			}
		}
	}

	private static void putBack(List<Path[]> setAside) {
		for (Path[] moved : setAside) {
			try {
				// A link, not a rename: a file that another process created there meanwhile wins.
				Files.createLink(moved[0], moved[1]);
				Files.delete(moved[1]);
			}
			catch (IOException | UnsupportedOperationException ex) {
				logger.warn("Could not move {} back to {}: {}", moved[1], moved[0], ex.toString());
			}
		}
	}

	private static void deleteTree(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		logger.info("Removing stale Litestream state {}", dir);
		try (Stream<Path> tree = Files.walk(dir)) {
			for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

	private static void forceDirectory(Path dir) {
		try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException ex) {
			// Some platforms cannot open directories; the rename itself is still atomic.
			logger.debug("Could not force directory {} to disk: {}", dir, ex.getMessage());
		}
	}

	private static Path sibling(Path file, String suffix) {
		return file.resolveSibling(file.getFileName() + suffix);
	}

}
