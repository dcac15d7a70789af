package io.github.litestream.restore;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hidden temporary files a restore builds next to its output
 * ({@code .<name>-restore-<uuid>.db} and its siblings). A restore removes its own when it
 * ends; a restore that was killed leaves them, and they can be as large as the database, so
 * the next restore of the same output removes them first. Only while it holds the output's
 * {@link RestoreLock}: the files of a restore or {@link ReplicaFollower} that still runs are
 * not leftovers.
 */
public final class LeftoverRestoreFiles {

	private static final Logger logger = LoggerFactory.getLogger(LeftoverRestoreFiles.class);

	/**
	 * What follows the prefix in the names of one {@link RestoreExecutor} run: its database
	 * {@code <uuid>.db} with SQLite's siblings, the stale files it set aside, the WAL of each
	 * index it fetched, the last index's WAL; and {@code <uuid>.last.wal} of {@link Restorer}.
	 */
	private static final String RESTORE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
			+ "(\\.last\\.wal|\\.db(-wal|-shm|-journal|\\.stale-(wal|shm|journal)|\\.last\\.wal|\\.[0-9a-f]{1,16}\\.wal)?)";

	/** What follows the prefix in the names of a {@link ReplicaFollower}'s files ({@link LatestState}). */
	private static final String FOLLOWER = "follow(\\.db(-wal|-shm|-journal)?|-last\\.wal|-[0-9a-f]{1,16}\\.wal)";

	private LeftoverRestoreFiles() {
	}

	/**
	 * The name prefix of every temporary file of a restore to {@code output}.
	 * @param output the database being restored
	 * @return the prefix, followed by a random id in each restore
	 */
	static String prefix(Path output) {
		return "." + output.getFileName() + "-restore-";
	}

	/**
	 * The names of exactly the files restores to {@code output} create: not those of another
	 * output whose name begins the same ({@code <name>-restore-x}, say), whose restore may run.
	 * @param output the database being restored
	 * @return the pattern of a whole file name
	 */
	static Pattern names(Path output) {
		String prefix = Pattern.quote(prefix(output));
		// A follower's full restore runs into its own temporary database, so with that one's prefix.
		String followerRestore = Pattern.quote("." + prefix(output) + "follow.db-restore-");
		return Pattern.compile(prefix + "(" + RESTORE + "|" + FOLLOWER + ")|" + followerRestore + RESTORE);
	}

	/**
	 * A temporary file for the last WAL index a restore to {@code output} applied, kept for the
	 * engine to continue the generation; removed with the others if a restore is killed.
	 * @param output the database being restored
	 * @return a new, unused name
	 */
	static Path lastWal(Path output) {
		return output.resolveSibling(prefix(output) + UUID.randomUUID() + ".last.wal");
	}

	/**
	 * Removes the temporary files that earlier, interrupted restores of {@code output} left,
	 * unless a restore of it runs (in this process or another): then nothing is removed.
	 * @param output the database file
	 * @return the files removed
	 */
	public static List<Path> remove(Path output) {
		if (!Files.isDirectory(output.toAbsolutePath().normalize().getParent())) {
			return List.of();
		}
		Optional<RestoreLock> lock;
		try {
			lock = RestoreLock.tryAcquire(output);
		}
		catch (IOException ex) {
			logger.warn("Could not remove the temporary files of an interrupted restore of {}: {}", output,
					ex.getMessage());
			return List.of();
		}
		if (lock.isEmpty()) {
			logger.info("Not removing temporary restore files beside {}: a restore or follower of it is running", output);
			return List.of();
		}
		try (RestoreLock held = lock.get()) {
			return removeHolding(output);
		}
	}

	/**
	 * Removes the temporary files that earlier restores of {@code output} left, for a restore
	 * that holds its {@link RestoreLock}.
	 * @param output the database file
	 * @return the files removed
	 */
	static List<Path> removeHolding(Path output) {
		Path absolute = output.toAbsolutePath().normalize();
		Pattern names = names(absolute);
		List<Path> removed = new ArrayList<>();
		try (DirectoryStream<Path> files = Files.newDirectoryStream(absolute.getParent(),
				(file) -> names.matcher(file.getFileName().toString()).matches())) {
			for (Path file : files) {
				if (Files.isRegularFile(file) && Files.deleteIfExists(file)) {
					removed.add(file);
				}
			}
		}
		catch (NoSuchFileException ex) {
			return removed;
		}
		catch (IOException ex) {
			logger.warn("Could not remove the temporary files of an interrupted restore of {}: {}", absolute,
					ex.getMessage());
		}
		if (!removed.isEmpty()) {
			logger.info("Removed {} temporary file(s) left by an interrupted restore of {}: {}", removed.size(), absolute,
					removed.stream().map((file) -> file.getFileName().toString()).toList());
		}
		return removed;
	}

}
