package io.github.litestream.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

import io.github.litestream.db.LocalState.ShutdownRecord;
import io.github.litestream.replica.Pos;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the engine continue a replica's generation on a database that was built from that
 * replica (restored, or followed), instead of starting a new generation and uploading a full
 * snapshot.
 *
 * <p>A database restored to the end of index {@code N} of generation {@code G} is byte for byte
 * the state the replica holds there, so its next WAL can be index {@code N+1} of {@code G}. The
 * engine continues a generation only when it can prove nothing happened behind its back, and
 * the proof it already has is the clean-shutdown record: "the database file, of this size and
 * checksum, is the state at the end of this position", plus the shadow WAL of that position's
 * index. This class writes exactly that local state, as a clean close would have left it:
 * <ul>
 * <li>the WAL of index {@code N} as the replica holds it, as the shadow WAL of {@code N} (a
 * replica of the same generation that lags within {@code N} is caught up from it with
 * segments, and a replica at its end finds nothing missing there);</li>
 * <li>the generation file naming {@code G};</li>
 * <li>the record with the database file's size and CRC-32C.</li>
 * </ul>
 * At the next open, {@link CleanShutdown} takes the record; if the file is unchanged, the
 * generation continues at index {@code N+1}, and whatever was written meanwhile through SQLite
 * (migrations, say) is in the real WAL, which becomes that index. Anything that changed the
 * file itself (a checkpoint by a connection that closed last) breaks the proof, and a new
 * generation starts as before. The record only saves work; it never decides correctness.
 *
 * <p>Call {@link #record} before any SQLite connection of this process is open on the
 * database: it reads the file through a descriptor of its own, and closing a descriptor drops
 * the process's POSIX locks on it.
 */
public final class GenerationContinuation {

	private static final Logger logger = LoggerFactory.getLogger(GenerationContinuation.class);

	private static final int BUFFER_SIZE = 64 * 1024;

	private GenerationContinuation() {
	}

	/**
	 * Records that a database file holds exactly the state at the end of a position, so that the
	 * engine continues that generation at the next index.
	 * @param database the database file, with no SQLite connection of this process open on it
	 * @param end the position the file is at the end of
	 * @param indexWal the WAL of {@code end}'s index, from offset 0 to {@code end}'s offset, as
	 * the replica holds it; moved into the local state
	 * @return {@code true} if recorded; {@code false} (logged) if the WAL does not end exactly at
	 * {@code end} with whole, valid transactions, and nothing was recorded
	 * @throws IOException if the files cannot be read or written
	 */
	public static boolean record(Path database, Pos end, Path indexWal) throws IOException {
		Path path = database.toAbsolutePath().normalize();
		LocalState state = new LocalState(path);
		LocalState.deleteRecursively(state.directory());
		Path shadow = state.shadowWalPath(end.generation(), end.index());
		Files.createDirectories(shadow.getParent());
		Files.move(indexWal, shadow, StandardCopyOption.REPLACE_EXISTING);
		// Downloaded without an fsync: it must be on disk before the record that relies on it.
		try (FileChannel channel = FileChannel.open(shadow, StandardOpenOption.WRITE)) {
			channel.force(true);
		}
		try (ShadowWal wal = ShadowWal.open(shadow, end.index())) {
			if (wal == null || wal.size() != end.offset()) {
				logger.info("Not continuing generation {} on {}: the WAL of index {} does not end at {} with a whole "
						+ "transaction", end.generation(), path, Pos.hex(end.index()), Pos.hex(end.offset()));
				LocalState.deleteRecursively(state.directory());
				return false;
			}
		}
		state.writeGeneration(end.generation());
		state.writeShutdownRecord(new ShutdownRecord(end, Files.size(path), checksum(path)));
		logger.info("{} continues generation {} after {}: its next WAL index is {}", path, end.generation(), end,
				Pos.hex(end.index() + 1));
		return true;
	}

	/**
	 * The position a database was recorded at by {@link #record} or a clean shutdown, without
	 * taking the record: the engine takes it when it opens the database.
	 * @param database the database file
	 * @return the position, if a record is there
	 * @throws IOException if the record cannot be read
	 */
	public static Optional<Pos> recorded(Path database) throws IOException {
		return new LocalState(database.toAbsolutePath().normalize()).readShutdownRecord().map(ShutdownRecord::position);
	}

	/**
	 * Where a database's local state says it stands in the generation it replicates: the
	 * clean-shutdown (or continuation) record if there is one, else the end of the last shadow
	 * WAL of the generation it names (after a crash, commits of that WAL may not have reached
	 * a replica, but nothing of it comes after it).
	 * @param database the database file
	 * @return the position, or empty if no generation, or no WAL of it, is recorded
	 * @throws IOException if the local state cannot be read
	 */
	public static Optional<Pos> localPosition(Path database) throws IOException {
		LocalState state = new LocalState(database.toAbsolutePath().normalize());
		Optional<String> generation = state.readGeneration();
		if (generation.isEmpty()) {
			return Optional.empty();
		}
		Optional<Pos> recorded = state.readShutdownRecord().map(ShutdownRecord::position);
		if (recorded.isPresent() && recorded.get().generation().equals(generation.get())) {
			return recorded;
		}
		OptionalLong index = state.lastIndex(generation.get());
		if (index.isEmpty()) {
			return Optional.empty();
		}
		Path wal = state.shadowWalPath(generation.get(), index.getAsLong());
		return Optional.of(new Pos(generation.get(), index.getAsLong(), Files.size(wal)));
	}

	/**
	 * Drops the record, so that the engine starts a new generation on the database.
	 * @param database the database file
	 * @param reason why, for the log
	 * @throws IOException if the record cannot be deleted
	 */
	public static void discard(Path database, String reason) throws IOException {
		Path path = database.toAbsolutePath().normalize();
		if (new LocalState(path).takeShutdownRecord().isPresent()) {
			logger.warn("Not continuing the recorded generation of {}: {}; a new generation starts", path, reason);
		}
	}

	private static long checksum(Path file) throws IOException {
		CRC32C crc = new CRC32C();
		byte[] buffer = new byte[BUFFER_SIZE];
		try (InputStream in = Files.newInputStream(file)) {
			int n;
			while ((n = in.read(buffer)) > 0) {
				crc.update(buffer, 0, n);
			}
		}
		return crc.getValue();
	}

}
