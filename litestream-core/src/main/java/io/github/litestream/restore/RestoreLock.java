package io.github.litestream.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The right to build and clean up the temporary files of restores to one output: a lock file
 * {@code .<name>-restore.lock} beside it, held with an exclusive OS lock for as long as the
 * restore runs. A second restore of the same output, in this process or another, fails at once
 * instead of removing the first one's files as leftovers. The OS lets go of the lock when its
 * process dies, so a killed restore never blocks the next one, which then removes what it left.
 *
 * <p>Three details make this hold:
 * <ul>
 * <li>Closing any descriptor of a file drops every POSIX lock the process holds on it, so a
 * second restore in the same process must not even open the lock file: a set of the lock files
 * this process holds is checked first, and a holder never opens its file a second time.</li>
 * <li>The file is removed when the restore ends, so that nothing is left beside the database.
 * A second restore that opened it just before may then lock the removed file: so a lock counts
 * only if the name is the same file (by its file key) before the open and after the lock; an
 * open file's key cannot be reused, so the locked descriptor is the file at the name.</li>
 * <li>The name does not start with the temporary files' prefix, so a cleanup never removes a
 * held lock file.</li>
 * </ul>
 */
final class RestoreLock implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RestoreLock.class);

	/** The lock files this process holds. */
	private static final Set<Path> held = ConcurrentHashMap.newKeySet();

	/** Rounds lost to a holder that removed the file between our open and lock: more is not a race. */
	private static final int MAX_ATTEMPTS = 100;

	private static final Object MISSING = new Object();

	private static final Object NO_KEY = new Object();

	private final Path file;

	private final FileChannel channel;

	private RestoreLock(Path file, FileChannel channel) {
		this.file = file;
		this.channel = channel;
	}

	/**
	 * Takes the lock of restores to {@code output}, or fails naming who holds it.
	 * @param output the database file a restore builds
	 * @return the lock, to be closed when the restore ends
	 * @throws RestoreException if another restore of the same output runs
	 * @throws IOException if the lock file cannot be created
	 */
	static RestoreLock acquire(Path output) throws IOException {
		Optional<RestoreLock> lock = tryAcquire(output);
		if (lock.isEmpty()) {
			Path file = file(output);
			throw new RestoreException("Cannot restore to " + output + ": another restore of it is running ("
					+ holder(file) + " holds " + file + "); wait for it to finish, or restore to another path");
		}
		return lock.get();
	}

	/**
	 * Takes the lock of restores to {@code output} if no one holds it.
	 * @param output the database file a restore builds
	 * @return the lock, or empty if another restore holds it
	 * @throws IOException if the lock file cannot be created
	 */
	static Optional<RestoreLock> tryAcquire(Path output) throws IOException {
		Path file = file(output);
		if (!held.add(file)) {
			return Optional.empty();
		}
		boolean acquired = false;
		try {
			for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
				Object before = keyOrCreate(file);
				FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
				try {
					FileLock lock = tryLock(channel);
					if (lock == null) {
						channel.close();
						return Optional.empty();
					}
					if (before != MISSING && before.equals(key(file))) {
						// Who holds it, for the message of a restore that finds it taken.
						byte[] pid = ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8);
						channel.truncate(0);
						channel.write(ByteBuffer.wrap(pid), 0);
						acquired = true;
						return Optional.of(new RestoreLock(file, channel));
					}
					// The holder removed the file after we opened it: lock the file now at the name.
					channel.close();
				}
				catch (IOException | RuntimeException ex) {
					channel.close();
					throw ex;
				}
			}
			throw new IOException("Cannot lock " + file + ": it was replaced " + MAX_ATTEMPTS
					+ " times while locking it; make sure nothing else removes or rewrites it");
		}
		finally {
			if (!acquired) {
				held.remove(file);
			}
		}
	}

	private static FileLock tryLock(FileChannel channel) throws IOException {
		try {
			return channel.tryLock();
		}
		catch (OverlappingFileLockException ex) {
			// Held in this process through a channel the set does not know of: still held.
			return null;
		}
	}

	/** The file key at the name, creating the file if there is none. */
	private static Object keyOrCreate(Path file) throws IOException {
		try {
			Files.createFile(file);
		}
		catch (FileAlreadyExistsException ex) {
			// Usually a holder's; a killed restore's is reused.
		}
		return key(file);
	}

	private static Object key(Path file) throws IOException {
		try {
			// A stat by name: opening the file would drop this process's lock on it when closed.
			Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
			// Without file keys (not on Linux or macOS) the rare race above goes unnoticed.
			return (key != null) ? key : NO_KEY;
		}
		catch (NoSuchFileException ex) {
			return MISSING;
		}
	}

	/**
	 * Who holds a lock file, as well as it can be told: read only while this process holds no
	 * lock on it (and takes none meanwhile), since closing the descriptor would drop it.
	 */
	private static String holder(Path file) {
		if (!held.add(file)) {
			return "this process";
		}
		try {
			String content = Files.readString(file, StandardCharsets.UTF_8).strip();
			return content.matches("pid \\d+") ? "process " + content.substring(4) : "another process";
		}
		catch (IOException | RuntimeException ex) {
			return "another process";
		}
		finally {
			held.remove(file);
		}
	}

	private static Path file(Path output) {
		Path absolute = output.toAbsolutePath().normalize();
		return absolute.resolveSibling("." + absolute.getFileName() + "-restore.lock");
	}

	/**
	 * Removes the lock file and lets go of the lock.
	 */
	@Override
	public void close() {
		try {
			// Removed while still locked: whoever opened it meanwhile finds the name gone and retries.
			Files.deleteIfExists(this.file);
		}
		catch (IOException ex) {
			logger.debug("Could not remove {}: {}", this.file, ex.getMessage());
		}
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			logger.debug("Could not close {}: {}", this.file, ex.getMessage());
		}
		finally {
			held.remove(this.file);
		}
	}

}
