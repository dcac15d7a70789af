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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The right to build and clean up the temporary files of restores to one output: a lock file
 * {@code .<name>-restore.lock} beside it, held with an exclusive OS lock for as long as the
 * restore runs, or a {@link ReplicaFollower} of the output lives. A second restore or follower
 * of the same output, in this process or another, fails at once instead of removing the first
 * one's files as leftovers. The OS lets go of the lock when its process dies, so a killed
 * restore never blocks the next one, which then removes what it left.
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

	/** The lock files this process holds, with who holds each ({@code null} kind: a reader of it). */
	private static final Map<Path, Holder> held = new ConcurrentHashMap<>();

	/** The lock file's content: who holds it, for the message of a restore that finds it taken. */
	private static final Pattern CONTENT = Pattern.compile("pid (\\d+)(?: (restore|follower))?");

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
	 * @throws RestoreException if another restore or a follower of the same output runs
	 * @throws IOException if the lock file cannot be created
	 */
	static RestoreLock acquire(Path output) throws IOException {
		return acquire(output, Kind.RESTORE);
	}

	/**
	 * Takes the lock of restores to {@code output}, or fails naming who holds it.
	 * @param output the database file a restore or follower builds
	 * @param kind what takes it
	 * @return the lock, to be closed when the restore ends or the follower stops
	 * @throws RestoreException if another restore or a follower of the same output runs
	 * @throws IOException if the lock file cannot be created
	 */
	static RestoreLock acquire(Path output, Kind kind) throws IOException {
		Optional<RestoreLock> lock = tryAcquire(output, kind);
		if (lock.isEmpty()) {
			Path file = file(output);
			Taken taken = holder(file);
			String wait = (taken.kind() == Kind.FOLLOWER) ? "stop the follower" : "wait for it to finish";
			throw new RestoreException("Cannot " + kind.action + " " + output + ": " + taken.what() + " of it is running ("
					+ taken.who() + " holds " + file + "); " + wait + ", or " + kind.action + " another path");
		}
		return lock.get();
	}

	/**
	 * Takes the lock of restores to {@code output} if no one holds it, for a restore.
	 * @param output the database file a restore builds
	 * @return the lock, or empty if another restore or a follower holds it
	 * @throws IOException if the lock file cannot be created
	 */
	static Optional<RestoreLock> tryAcquire(Path output) throws IOException {
		return tryAcquire(output, Kind.RESTORE);
	}

	private static Optional<RestoreLock> tryAcquire(Path output, Kind kind) throws IOException {
		Path file = file(output);
		if (held.putIfAbsent(file, new Holder(kind)) != null) {
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
						byte[] pid = ("pid " + ProcessHandle.current().pid() + " " + kind.noun + "\n")
							.getBytes(StandardCharsets.UTF_8);
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
			// Held in this process through a channel the map does not know of: still held.
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
	private static Taken holder(Path file) {
		Holder reader = new Holder(null);
		Holder holder = held.putIfAbsent(file, reader);
		if (holder != null) {
			return new Taken(holder.kind, "this process");
		}
		try {
			Matcher content = CONTENT.matcher(Files.readString(file, StandardCharsets.UTF_8).strip());
			if (content.matches()) {
				Kind kind = (content.group(2) != null) ? Kind.of(content.group(2)) : null;
				return new Taken(kind, "process " + content.group(1));
			}
			return new Taken(null, "another process");
		}
		catch (IOException | RuntimeException ex) {
			return new Taken(null, "another process");
		}
		finally {
			held.remove(file, reader);
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

	/**
	 * What holds the lock: a restore for its run, or a follower for its life.
	 */
	enum Kind {

		/** A restore, or the cleanup of a killed one's files. */
		RESTORE("restore", "restore to"),

		/** A {@link ReplicaFollower}, from its start until it stops. */
		FOLLOWER("follower", "follow into");

		private final String noun;

		private final String action;

		Kind(String noun, String action) {
			this.noun = noun;
			this.action = action;
		}

		private static Kind of(String noun) {
			return (FOLLOWER.noun.equals(noun)) ? FOLLOWER : RESTORE;
		}

	}

	/**
	 * Who holds the lock, for the message of whoever finds it taken.
	 * @param kind what holds it, or {@code null} if that cannot be told
	 * @param who which process
	 */
	private record Taken(Kind kind, String who) {

		String what() {
			if (this.kind == null) {
				return "another restore or follower";
			}
			return (this.kind == Kind.FOLLOWER) ? "a follower" : "another restore";
		}

	}

	/** One holder in this process; compared by identity, so that a reader removes only its own entry. */
	private static final class Holder {

		private final Kind kind;

		private Holder(Kind kind) {
			this.kind = kind;
		}

	}

}
