package io.github.litestream.replica.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Conditional objects in a replica directory, as numbered files: version {@code n} of
 * {@code lease.json} is the file {@code lease.json.n}, and the object is its highest version.
 *
 * <p>A write prepares a temporary file and hard-links it to the next number: a link fails
 * atomically if the name exists, so of two writers starting from version {@code n} exactly one
 * creates {@code n+1}. Nothing is locked, so a crashed writer leaves nothing to clean up but
 * (at worst) a temporary file, which no listing matches.
 *
 * <p>Old versions are pruned, but a pruned number could be linked again by a writer that read
 * it long ago. So a write that succeeded is checked afterwards: if a higher version already
 * exists, the writer lost (its link is removed again). This holds because the highest version
 * is never pruned, so the highest number only grows; and when {@code n+1} was pruned, a
 * higher version existed before the prune.
 */
final class FileConditionalObjects implements ConditionalObjects {

	/** Versions kept below the current one, for readers that listed just before a write. */
	private static final int KEPT_OLD_VERSIONS = 2;

	private static final int READ_ATTEMPTS = 5;

	private final Path root;

	private final ReplicaOperationListener listener;

	/** The directories the writes created, deepest first: {@link #removeCreatedLocation()}. */
	private final Deque<Path> createdDirectories = new ArrayDeque<>();

	/** The files the writes linked, while they created the root. */
	private final List<Path> writtenFiles = new ArrayList<>();

	FileConditionalObjects(Path root, ReplicaOperationListener listener) {
		this.root = root;
		this.listener = listener;
	}

	@Override
	public Optional<VersionedObject> read(String name) throws IOException {
		requireName(name);
		for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
			List<Long> versions = versions(name);
			if (versions.isEmpty()) {
				return Optional.empty();
			}
			long highest = versions.get(versions.size() - 1);
			try {
				byte[] content = Files.readAllBytes(file(name, highest));
				this.listener.onOperation(ReplicaOperation.GET, content.length);
				return Optional.of(new VersionedObject(content, Long.toString(highest)));
			}
			catch (NoSuchFileException ex) {
				// Pruned between the listing and the read: a newer version exists, list again.
			}
		}
		throw new IOException("Cannot read " + name + " in " + this.root + ": it changed " + READ_ATTEMPTS
				+ " times while being read");
	}

	@Override
	public String create(String name, byte[] content) throws IOException {
		requireName(name);
		if (!versions(name).isEmpty()) {
			throw new ConditionalWriteConflictException(name + " already exists in " + this.root);
		}
		return write(name, content, 1, "already exists");
	}

	@Override
	public String replace(String name, byte[] content, String version) throws IOException {
		requireName(name);
		long current;
		try {
			current = Long.parseLong(version);
		}
		catch (NumberFormatException ex) {
			throw new ConditionalWriteConflictException(name + " has no version '" + version + "' in " + this.root);
		}
		// Listing, not Files.exists: an unreadable directory must fail, not look like a lost race.
		if (!versions(name).contains(current)) {
			throw new ConditionalWriteConflictException(name + " is no longer at version " + version + " in "
					+ this.root);
		}
		return write(name, content, current + 1, "changed since version " + version);
	}

	private String write(String name, byte[] content, long next, String conflict) throws IOException {
		createRoot();
		Path temp = this.root.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
		Path target = file(name, next);
		try {
			try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
				ByteBuffer buffer = ByteBuffer.wrap(content);
				while (buffer.hasRemaining()) {
					channel.write(buffer);
				}
				channel.force(true);
			}
			try {
				Files.createLink(target, temp);
			}
			catch (FileAlreadyExistsException ex) {
				throw new ConditionalWriteConflictException(name + " " + conflict + " in " + this.root);
			}
			catch (UnsupportedOperationException ex) {
				throw new IOException("Cannot write " + name + " in " + this.root + " conditionally: the file system "
						+ "does not support hard links", ex);
			}
		}
		finally {
			Files.deleteIfExists(temp);
		}
		recordWritten(target);
		this.listener.onOperation(ReplicaOperation.PUT, content.length);
		List<Long> versions = versions(name);
		if (versions.get(versions.size() - 1) > next) {
			// We linked a pruned number behind a newer version: we lost, and ours must not linger.
			Files.deleteIfExists(target);
			throw new ConditionalWriteConflictException(name + " " + conflict + " in " + this.root);
		}
		prune(name, versions, next);
		return Long.toString(next);
	}

	@Override
	public synchronized void removeCreatedLocation() throws IOException {
		if (this.createdDirectories.isEmpty()) {
			return;
		}
		for (Path file : this.writtenFiles) {
			Files.deleteIfExists(file);
		}
		this.writtenFiles.clear();
		while (!this.createdDirectories.isEmpty()) {
			try {
				Files.deleteIfExists(this.createdDirectories.peek());
				this.createdDirectories.pop();
			}
			catch (DirectoryNotEmptyException ex) {
				// Another writer (or the replica) put something there since: it is theirs now.
				this.createdDirectories.clear();
			}
		}
	}

	/** Creates the root, remembering which of its directories did not exist. */
	private synchronized void createRoot() throws IOException {
		if (Files.isDirectory(this.root)) {
			return;
		}
		Deque<Path> missing = new ArrayDeque<>();
		for (Path dir = this.root; dir != null && !Files.exists(dir); dir = dir.getParent()) {
			missing.push(dir);
		}
		Files.createDirectories(this.root);
		// Shallowest first in, so deepest first out when removed.
		while (!missing.isEmpty()) {
			this.createdDirectories.push(missing.pop());
		}
	}

	private synchronized void recordWritten(Path file) {
		if (!this.createdDirectories.isEmpty()) {
			this.writtenFiles.add(file);
		}
	}

	private void prune(String name, List<Long> versions, long current) throws IOException {
		for (long version : versions) {
			if (version < current - KEPT_OLD_VERSIONS) {
				Files.deleteIfExists(file(name, version));
				this.listener.onOperation(ReplicaOperation.DELETE, 0);
			}
		}
	}

	/** The versions present, lowest first. */
	private List<Long> versions(String name) throws IOException {
		List<Long> versions = new ArrayList<>();
		String prefix = name + ".";
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.root, prefix + "*")) {
			for (Path entry : entries) {
				String suffix = entry.getFileName().toString().substring(prefix.length());
				if (!suffix.isEmpty() && suffix.length() < 19 && suffix.chars().allMatch(Character::isDigit)) {
					versions.add(Long.parseLong(suffix));
				}
			}
		}
		catch (NoSuchFileException ex) {
			// No directory yet: no objects.
		}
		this.listener.onOperation(ReplicaOperation.LIST, 0);
		versions.sort(null);
		return versions;
	}

	private Path file(String name, long version) {
		return this.root.resolve(name + "." + version);
	}

	private static void requireName(String name) {
		if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
			throw new IllegalArgumentException("Not an object name at the replica root: '" + name + "'");
		}
	}

}
