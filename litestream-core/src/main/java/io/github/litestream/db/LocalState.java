package io.github.litestream.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.github.litestream.replica.Pos;

/**
 * The engine's files next to a database, laid out as Litestream lays them out so that the
 * sidecar and this engine can take over from each other:
 *
 * <pre>
 * &lt;dir&gt;/.&lt;db&gt;-litestream/generation                         "&lt;gen&gt;\n"
 * &lt;dir&gt;/.&lt;db&gt;-litestream/generations/&lt;gen&gt;/wal/&lt;index&gt;.wal   shadow WAL files
 * &lt;dir&gt;/.&lt;db&gt;-litestream/shutdown                           clean-shutdown record
 * </pre>
 */
final class LocalState {

	private static final Pattern SHADOW_WAL = Pattern.compile("^([0-9a-f]{8})\\.wal$");

	private final Path directory;

	LocalState(Path databasePath) {
		Path absolute = databasePath.toAbsolutePath();
		this.directory = absolute.resolveSibling("." + absolute.getFileName() + "-litestream");
	}

	/**
	 * The directory for a database's engine files.
	 * @param databasePath the database
	 * @return {@code <dir>/.<db>-litestream}
	 */
	static Path directoryOf(Path databasePath) {
		return new LocalState(databasePath).directory;
	}

	Path directory() {
		return this.directory;
	}

	Optional<String> readGeneration() throws IOException {
		Path file = this.directory.resolve("generation");
		if (!Files.isRegularFile(file)) {
			return Optional.empty();
		}
		String generation = Files.readString(file, StandardCharsets.UTF_8).trim();
		return Pos.isGeneration(generation) ? Optional.of(generation) : Optional.empty();
	}

	void writeGeneration(String generation) throws IOException {
		writeAtomically(this.directory.resolve("generation"), generation + "\n");
	}

	Path shadowWalPath(String generation, long index) {
		return walDirectory(generation).resolve(Pos.hex(index) + ".wal");
	}

	/**
	 * The highest shadow WAL index of a generation.
	 * @param generation the generation
	 * @return the index, or empty if there is none
	 * @throws IOException if the directory cannot be read
	 */
	OptionalLong lastIndex(String generation) throws IOException {
		Path dir = walDirectory(generation);
		if (!Files.isDirectory(dir)) {
			return OptionalLong.empty();
		}
		try (Stream<Path> files = Files.list(dir)) {
			return files.map((file) -> SHADOW_WAL.matcher(file.getFileName().toString()))
				.filter(Matcher::matches)
				.mapToLong((matcher) -> Long.parseLong(matcher.group(1), 16))
				.max();
		}
	}

	/**
	 * The bytes of every shadow WAL file a generation keeps.
	 * @param generation the generation
	 * @return the total size, 0 if there is none
	 * @throws IOException if the directory cannot be read
	 */
	long shadowWalSize(String generation) throws IOException {
		Path dir = walDirectory(generation);
		if (!Files.isDirectory(dir)) {
			return 0;
		}
		long total = 0;
		try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
			for (Path file : files) {
				if (SHADOW_WAL.matcher(file.getFileName().toString()).matches()) {
					try {
						total += Files.size(file);
					}
					catch (NoSuchFileException ex) {
						// Removed meanwhile: it no longer counts.
					}
				}
			}
		}
		return total;
	}

	/**
	 * Deletes shadow WAL files of a generation below an index: every replica has them.
	 * @param generation the generation
	 * @param index the lowest index to keep
	 * @throws IOException if the directory cannot be read
	 */
	void removeShadowWalsBefore(String generation, long index) throws IOException {
		Path dir = walDirectory(generation);
		if (!Files.isDirectory(dir)) {
			return;
		}
		try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
			for (Path file : files) {
				Matcher matcher = SHADOW_WAL.matcher(file.getFileName().toString());
				if (matcher.matches() && Long.parseLong(matcher.group(1), 16) < index) {
					Files.deleteIfExists(file);
				}
			}
		}
	}

	/**
	 * Deletes the shadow files of every generation but one.
	 * @param keep the generation to keep
	 * @throws IOException if a directory cannot be read
	 */
	void removeGenerationsExcept(String keep) throws IOException {
		Path generations = this.directory.resolve("generations");
		if (!Files.isDirectory(generations)) {
			return;
		}
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(generations)) {
			for (Path dir : dirs) {
				if (!dir.getFileName().toString().equals(keep)) {
					deleteRecursively(dir);
				}
			}
		}
	}

	/**
	 * Reads and deletes the clean-shutdown record: it describes only the moment right after
	 * the last shutdown, so it may be used once.
	 * @return the record, if there was a valid one
	 * @throws IOException if it cannot be deleted
	 */
	Optional<ShutdownRecord> takeShutdownRecord() throws IOException {
		Path file = this.directory.resolve("shutdown");
		if (!Files.exists(file)) {
			return Optional.empty();
		}
		Optional<ShutdownRecord> record = ShutdownRecord.parse(Files.readString(file, StandardCharsets.UTF_8));
		Files.delete(file);
		return record;
	}

	/**
	 * Reads the clean-shutdown record without taking it.
	 * @return the record, if there is a valid one
	 * @throws IOException if it cannot be read
	 */
	Optional<ShutdownRecord> readShutdownRecord() throws IOException {
		Path file = this.directory.resolve("shutdown");
		if (!Files.exists(file)) {
			return Optional.empty();
		}
		return ShutdownRecord.parse(Files.readString(file, StandardCharsets.UTF_8));
	}

	void writeShutdownRecord(ShutdownRecord record) throws IOException {
		writeAtomically(this.directory.resolve("shutdown"), record.format());
	}

	private Path walDirectory(String generation) {
		if (!Pos.isGeneration(generation)) {
			throw new IllegalArgumentException("Invalid generation '" + generation + "'");
		}
		return this.directory.resolve("generations").resolve(generation).resolve("wal");
	}

	/**
	 * Replaces a file by a complete new one that survives a power loss: the content is forced
	 * to disk before the rename, and the directory after it (without the first, a crash could
	 * leave the new name on an empty file).
	 */
	static void writeAtomically(Path file, String content) throws IOException {
		Files.createDirectories(file.getParent());
		Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
		try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING)) {
			ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
			while (bytes.hasRemaining()) {
				channel.write(bytes);
			}
			channel.force(true);
		}
		try {
			Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (AtomicMoveNotSupportedException ex) {
			Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
		}
		forceDirectory(file.getParent());
	}

	/**
	 * Forces a directory's entries to disk where the platform can (Linux and macOS; Windows
	 * cannot open a directory, and its renames are journaled).
	 */
	static void forceDirectory(Path directory) {
		try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException ex) {
			// Not supported here; the rename itself is still atomic.
		}
	}

	/**
	 * The size of a file beside the database (or of the database).
	 * @param file the file
	 * @return bytes, or 0 if it does not exist or cannot be read
	 */
	static long sizeOf(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			return 0;
		}
	}

	/**
	 * When a file beside the database was last written, by the file system's clock.
	 * @param file the file
	 * @return the time, or empty if it does not exist or cannot be read
	 */
	static Optional<Instant> modifiedAt(Path file) {
		try {
			return Optional.of(Files.getLastModifiedTime(file).toInstant());
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Deletes a directory tree.
	 * @param root the directory
	 * @throws IOException if something cannot be deleted
	 */
	static void deleteRecursively(Path root) throws IOException {
		if (!Files.exists(root)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(root)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> {
				try {
					Files.deleteIfExists(path);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
		}
		catch (UncheckedIOException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * What the engine knew when it last shut down cleanly: its position, and the database
	 * file's size and checksum right after its final checkpoint. If the database file is
	 * unchanged at the next start, the history continues with the next index of the same
	 * generation instead of a new generation and a full snapshot.
	 *
	 * @param position the final position
	 * @param databaseSize the database file's size
	 * @param databaseChecksum the database file's CRC-32C
	 */
	record ShutdownRecord(Pos position, long databaseSize, long databaseChecksum) {

		String format() {
			return this.position.generation() + " " + this.position.index() + " " + this.position.offset() + " "
					+ this.databaseSize + " " + this.databaseChecksum + "\n";
		}

		static Optional<ShutdownRecord> parse(String text) {
			String[] parts = text.trim().split(" ");
			try {
				if (parts.length == 5) {
					return Optional.of(new ShutdownRecord(
							new Pos(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2])),
							Long.parseLong(parts[3]), Long.parseLong(parts[4])));
				}
			}
			catch (IllegalArgumentException ex) {
				// An unreadable record proves nothing.
			}
			return Optional.empty();
		}

	}

}
