package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import io.github.litestream.db.GenerationContinuation;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.restore.NewestBackup;

/**
 * A local database file that another instance's replication has left behind. When an instance
 * starts on an existing file and takes the replica's lease after another instance held it, that
 * instance may have written commits the file lacks (a deposed primary, restarted; a second
 * instance started by hand). Replicating such a file would start a generation that restores
 * prefer as the newest, and the other instance's commits would be lost. The file is stale
 * unless its local state (the {@code .<name>-litestream} directory) shows that it stands in the
 * replica's newest generation and that nothing was stored there after its position; a file
 * whose position is unknown counts as stale.
 *
 * <p>A stale file is never deleted (it may hold commits that never reached the replica): it is
 * {@link #setAside moved aside} with its {@code -wal}, {@code -shm} and local state, under
 * names that SQLite still opens together.
 */
public final class DivergedFile {

	private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
		.withZone(ZoneOffset.UTC);

	private DivergedFile() {
	}

	/**
	 * Why a database file is behind the replica's newest backup, if it is.
	 * @param database the existing database file, with no SQLite connection of this process
	 * open on it
	 * @param client the replica the newest backup is in
	 * @param newest that backup
	 * @return the reason, or empty if the file stands at or after the replica's newest point of
	 * its own generation
	 * @throws IOException if the local state or the replica cannot be read
	 */
	public static Optional<String> staleness(Path database, ReplicaClient client, NewestBackup newest)
			throws IOException {
		return staleness(database, GenerationContinuation.localPosition(database), client, newest);
	}

	/**
	 * Why a database file is behind the replica's newest backup, if it is, given where its local
	 * state said it stood before this process opened it: once the engine runs on it, the local
	 * state is the engine's own (it may have started a new generation there already).
	 * @param database the database file, for messages
	 * @param local its position as its local state recorded it before it was opened (see
	 * {@link GenerationContinuation#localPosition}), empty if unknown
	 * @param client the replica the newest backup is in
	 * @param newest that backup
	 * @return the reason, or empty if the file stands at or after the replica's newest point of
	 * its own generation
	 * @throws IOException if the replica cannot be read
	 */
	public static Optional<String> staleness(Path database, Optional<Pos> local, ReplicaClient client,
			NewestBackup newest) throws IOException {
		if (local.isEmpty()) {
			return Optional.of("its local replication state (" + localState(database)
					+ ") does not record where it stands in a generation");
		}
		Pos position = local.get();
		if (!position.generation().equals(newest.generation())) {
			return Optional.of("it was last replicated in generation " + position.generation()
					+ ", and the replica's newest generation is " + newest.generation());
		}
		String movedOn = ContinuationCheck.movedOn(client, position);
		return Optional.ofNullable(movedOn).map((what) -> "it stands at " + position + ", and the replica " + what);
	}

	/**
	 * Moves a database file aside with its {@code -wal} and {@code -shm} files and its local
	 * state: {@code app.db} becomes {@code .app.db-diverged-<UTC time>} (with
	 * {@code -wal}/{@code -shm} beside it, so SQLite opens it with its last commits), and
	 * {@code .app.db-litestream} becomes {@code .app.db-diverged-<UTC time>-litestream}. A name
	 * taken already gets {@code -2}, {@code -3}, … after the time.
	 * @param database the database file, with no SQLite connection of this process open on it
	 * @param now the time for the names
	 * @return where the database file is now
	 * @throws IOException if a file cannot be moved
	 */
	public static Path setAside(Path database, Instant now) throws IOException {
		Path file = database.toAbsolutePath().normalize();
		Path aside = unusedName(file, STAMP.format(now.truncatedTo(ChronoUnit.SECONDS)));
		// The WAL first: a database file without it reads as an older state, never a mix.
		moveIfExists(sibling(file, "-wal"), sibling(aside, "-wal"));
		moveIfExists(sibling(file, "-shm"), sibling(aside, "-shm"));
		moveIfExists(localState(file), sibling(aside, "-litestream"));
		Files.move(file, aside);
		return aside;
	}

	/**
	 * The first name for a set-aside copy that neither it nor its companions take yet: a second
	 * set-aside within the same second (a restart loop) gets {@code -2}, and so on, rather than
	 * failing or overwriting the first.
	 */
	private static Path unusedName(Path file, String stamp) {
		for (int n = 1;; n++) {
			Path aside = file.resolveSibling("." + file.getFileName() + "-diverged-" + stamp + ((n > 1) ? "-" + n : ""));
			if (Files.notExists(aside) && Files.notExists(sibling(aside, "-wal"))
					&& Files.notExists(sibling(aside, "-shm")) && Files.notExists(sibling(aside, "-litestream"))) {
				return aside;
			}
		}
	}

	private static Path localState(Path database) {
		Path file = database.toAbsolutePath().normalize();
		return file.resolveSibling("." + file.getFileName() + "-litestream");
	}

	private static Path sibling(Path file, String suffix) {
		return file.resolveSibling(file.getFileName() + suffix);
	}

	private static void moveIfExists(Path from, Path to) throws IOException {
		if (Files.exists(from)) {
			Files.move(from, to);
		}
	}

}
