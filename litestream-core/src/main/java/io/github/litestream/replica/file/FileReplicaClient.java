package io.github.litestream.replica.file;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.DatabaseWalk;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaLayout;
import io.github.litestream.replica.ReplicaObjectNotFoundException;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * A replica in a local (or mounted) directory, with exactly the tree Litestream's file
 * replica writes, so either tool can read what the other wrote.
 *
 * <p>A write goes to a temporary file in the target directory whose name starts with a dot
 * and ends in {@code .tmp} (it can never match the listing patterns of
 * {@link ReplicaLayout}), is forced to disk, then renamed atomically into place. A reader
 * therefore sees either nothing or the whole object. An object's {@code createdAt} is its file
 * modification time, as in Litestream.
 */
public final class FileReplicaClient implements ReplicaClient {

	private final Path root;

	private final File rootFile;

	private final ReplicaOperationListener listener;

	private final ConditionalObjects conditionalObjects;

	/**
	 * Creates a client for a replica directory; the directory is created on the first write.
	 * @param root the replica's root directory
	 * @param listener told about every request
	 */
	public FileReplicaClient(Path root, ReplicaOperationListener listener) {
		this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
		this.rootFile = this.root.toFile();
		this.listener = Objects.requireNonNull(listener, "listener");
		this.conditionalObjects = new FileConditionalObjects(this.root, this.listener);
	}

	/**
	 * Creates a client that reports its requests nowhere.
	 * @param root the replica's root directory
	 */
	public FileReplicaClient(Path root) {
		this(root, ReplicaOperationListener.NONE);
	}

	/**
	 * The replica's root directory.
	 * @return the absolute root
	 */
	public Path root() {
		return this.root;
	}

	@Override
	public String type() {
		return "file";
	}

	@Override
	public boolean readsLocally() {
		return true;
	}

	@Override
	public String location() {
		return this.root.toString();
	}

	@Override
	public List<String> generations() throws IOException {
		Path dir = this.root.resolve(ReplicaLayout.GENERATIONS);
		List<String> generations = new ArrayList<>();
		for (Path entry : list(dir)) {
			String name = entry.getFileName().toString();
			if (Pos.isGeneration(name) && Files.isDirectory(entry)) {
				generations.add(name);
			}
		}
		generations.sort(Comparator.naturalOrder());
		return generations;
	}

	@Override
	public List<SnapshotInfo> snapshots(String generation) throws IOException {
		List<SnapshotInfo> snapshots = new ArrayList<>();
		for (Path entry : list(resolve(ReplicaLayout.snapshotsDir(generation)))) {
			Optional<Long> index = ReplicaLayout.parseSnapshotName(entry.getFileName().toString());
			Optional<BasicFileAttributes> attributes = (index.isPresent()) ? regularFile(entry) : Optional.empty();
			attributes.ifPresent((attrs) -> snapshots.add(new SnapshotInfo(generation, index.get(), attrs.size(),
					attrs.lastModifiedTime().toInstant())));
		}
		snapshots.sort(Comparator.comparingLong(SnapshotInfo::index));
		return snapshots;
	}

	@Override
	public List<WalSegmentInfo> walSegments(String generation) throws IOException {
		File dir = file(ReplicaLayout.walDir(generation));
		List<WalSegmentInfo> segments = new ArrayList<>();
		for (String name : PlainFileReads.names(dir)) {
			Optional<Pos> pos = ReplicaLayout.parseWalSegmentName(generation, name);
			Optional<PlainFileReads.Attributes> attributes = (pos.isPresent())
					? PlainFileReads.regularFile(new File(dir, name)) : Optional.empty();
			attributes.ifPresent((attrs) -> segments.add(new WalSegmentInfo(generation, pos.get().index(),
					pos.get().offset(), attrs.size(), attrs.modified())));
		}
		this.listener.onOperation(ReplicaOperation.LIST, 0);
		segments.sort(Comparator.comparingLong(WalSegmentInfo::index).thenComparingLong(WalSegmentInfo::offset));
		return segments;
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		Path target = resolve(ReplicaLayout.snapshotKey(generation, index));
		BasicFileAttributes attributes = write(target, lz4);
		return new SnapshotInfo(generation, index, attributes.size(), attributes.lastModifiedTime().toInstant());
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		return open(file(ReplicaLayout.snapshotKey(generation, index)), "snapshot");
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		Path target = resolve(ReplicaLayout.walSegmentKey(pos));
		BasicFileAttributes attributes = write(target, lz4);
		return new WalSegmentInfo(pos.generation(), pos.index(), pos.offset(), attributes.size(),
				attributes.lastModifiedTime().toInstant());
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		return open(file(ReplicaLayout.walSegmentKey(pos)), "WAL segment");
	}

	@Override
	public void deleteSnapshot(String generation, long index) throws IOException {
		Files.deleteIfExists(resolve(ReplicaLayout.snapshotKey(generation, index)));
		this.listener.onOperation(ReplicaOperation.DELETE, 0);
	}

	@Override
	public void deleteWalSegments(Collection<Pos> segments) throws IOException {
		for (Pos pos : segments) {
			Files.deleteIfExists(resolve(ReplicaLayout.walSegmentKey(pos)));
			this.listener.onOperation(ReplicaOperation.DELETE, 0);
		}
	}

	@Override
	public void deleteGeneration(String generation) throws IOException {
		Path dir = resolve(ReplicaLayout.generationDir(generation));
		if (Files.exists(dir)) {
			try (Stream<Path> tree = Files.walk(dir)) {
				for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
					Files.deleteIfExists(path);
				}
			}
		}
		this.listener.onOperation(ReplicaOperation.DELETE, 0);
	}

	/**
	 * Numbered files at the root, created with hard links (see {@code FileConditionalObjects}).
	 */
	@Override
	public Optional<ConditionalObjects> conditionalObjects() {
		return Optional.of(this.conditionalObjects);
	}

	@Override
	public String toString() {
		return "file replica " + this.root;
	}

	@Override
	public List<String> databasesBelow(boolean recursive) throws IOException {
		return DatabaseWalk.databasesBelow(this::folders, recursive);
	}

	/** The directories inside one, links not followed. */
	private List<String> folders(String relative) throws IOException {
		List<String> names = new ArrayList<>();
		for (Path entry : list(relative.isEmpty() ? this.root : this.root.resolve(relative))) {
			if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
				names.add(entry.getFileName().toString());
			}
		}
		return names;
	}

	private Path resolve(String key) {
		return this.root.resolve(key);
	}

	/** A key's file, for the reads a restore makes thousands of times ({@link PlainFileReads}). */
	private File file(String key) {
		return new File(this.rootFile, key);
	}

	private List<Path> list(Path dir) throws IOException {
		List<Path> entries = new ArrayList<>();
		try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
			stream.forEach(entries::add);
		}
		catch (NoSuchFileException ex) {
			// A missing directory lists as empty, like a prefix with no objects.
		}
		this.listener.onOperation(ReplicaOperation.LIST, 0);
		return entries;
	}

	private static Optional<BasicFileAttributes> regularFile(Path path) throws IOException {
		try {
			BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
			return attributes.isRegularFile() ? Optional.of(attributes) : Optional.empty();
		}
		catch (NoSuchFileException ex) {
			return Optional.empty();
		}
	}

	private InputStream open(File file, String what) throws IOException {
		PlainFileReads.Opened opened = PlainFileReads.open(file, what);
		this.listener.onOperation(ReplicaOperation.GET, opened.size());
		return opened.content();
	}

	private BasicFileAttributes write(Path target, InputStream content) throws IOException {
		Path dir = target.getParent();
		Files.createDirectories(dir);
		Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
		try {
			long bytes;
			try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
					StandardOpenOption.WRITE)) {
				OutputStream out = Channels.newOutputStream(channel);
				bytes = content.transferTo(out);
				channel.force(true);
			}
			BasicFileAttributes attributes = Files.readAttributes(temp, BasicFileAttributes.class);
			moveAtomically(temp, target);
			this.listener.onOperation(ReplicaOperation.PUT, bytes);
			return attributes;
		}
		finally {
			Files.deleteIfExists(temp);
		}
	}

	private static void moveAtomically(Path source, Path target) throws IOException {
		try {
			Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (AtomicMoveNotSupportedException ex) {
			throw new IOException("Cannot rename " + source + " to " + target
					+ " atomically; put the replica on a file system that supports atomic renames", ex);
		}
	}

}
