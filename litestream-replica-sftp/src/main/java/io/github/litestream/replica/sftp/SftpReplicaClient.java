package io.github.litestream.replica.sftp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaLayout;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ReplicaClient} on an SSH server over SFTP, with the directory tree Litestream's
 * {@code sftp} replica writes under the configured path (the same tree as a file replica), so
 * either tool reads what the other wrote.
 *
 * <p>Litestream v0.3.14 writes each object in place; this client writes it to a temporary
 * name starting with a dot in the same directory, which no listing pattern matches, and renames
 * it into place ({@code posix-rename@openssh.com} where the server offers it, so a replaced
 * snapshot is never missing), so a reader sees either nothing or the whole object. Directories
 * are created as needed ({@link SftpDirectories}). Uploads and downloads stream through
 * fixed-size buffers. Every request is reported to the {@link ReplicaOperationListener}; a
 * listing counts once however many directory reads it takes, a download when its stream is
 * closed, with the bytes read.
 *
 * <p>The {@link SftpConnection} belongs to the caller, who may share it between clients of the
 * same replica; {@link #close()} leaves it open unless the client was made with
 * {@link #open(SftpReplicaConfig, ReplicaOperationListener)}.
 */
public final class SftpReplicaClient implements ReplicaClient {

	private static final int BUFFER_SIZE = 32 * 1024;

	private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);

	private final SftpConnection connection;

	private final SftpReplicaConfig config;

	private final ReplicaOperationListener listener;

	private final SftpRequests requests;

	private final boolean ownsConnection;

	private final SftpConditionalObjects conditionalObjects;

	private final SftpDirectories directories = new SftpDirectories();

	/**
	 * Creates a client on a shared connection.
	 * @param connection the connection, which the caller closes
	 * @param listener told about every request
	 */
	public SftpReplicaClient(SftpConnection connection, ReplicaOperationListener listener) {
		this(connection, connection.config(), listener, FIRST_BACKOFF, false);
	}

	/**
	 * Creates a client for one path on a connection shared with replicas at other paths of the
	 * same server and login (the databases of a directory share one).
	 * @param connection the connection, which the caller closes
	 * @param config the replica: the connection's server and login, any path
	 * @param listener told about every request
	 * @throws IllegalArgumentException if the replica is on another server or login
	 */
	public SftpReplicaClient(SftpConnection connection, SftpReplicaConfig config, ReplicaOperationListener listener) {
		this(connection, config, listener, FIRST_BACKOFF, false);
		if (!config.atRoot().equals(connection.config().atRoot())) {
			throw new IllegalArgumentException(
					"SFTP replica " + config.location() + " is not on the connection to " + connection.config().location());
		}
	}

	SftpReplicaClient(SftpConnection connection, ReplicaOperationListener listener, Duration firstBackoff,
			boolean ownsConnection) {
		this(connection, connection.config(), listener, firstBackoff, ownsConnection);
	}

	private SftpReplicaClient(SftpConnection connection, SftpReplicaConfig config, ReplicaOperationListener listener,
			Duration firstBackoff, boolean ownsConnection) {
		this.connection = Objects.requireNonNull(connection, "connection");
		this.config = Objects.requireNonNull(config, "config");
		this.listener = Objects.requireNonNull(listener, "listener");
		this.requests = new SftpRequests(connection, firstBackoff);
		this.ownsConnection = ownsConnection;
		this.conditionalObjects = new SftpConditionalObjects(this.requests, this.config, listener, this.directories);
	}

	/**
	 * Creates a client with a connection of its own, closed with the client.
	 * @param config the replica
	 * @param listener told about every request
	 * @return the client; nothing is sent before its first request
	 */
	public static SftpReplicaClient open(SftpReplicaConfig config, ReplicaOperationListener listener) {
		return new SftpReplicaClient(new SftpConnection(config), listener, FIRST_BACKOFF, true);
	}

	@Override
	public String type() {
		return "sftp";
	}

	@Override
	public String location() {
		return this.config.location();
	}

	@Override
	public List<String> generations() throws IOException {
		List<String> generations = new ArrayList<>();
		for (DirEntry entry : list(remote(ReplicaLayout.GENERATIONS), "list generations")) {
			if (Pos.isGeneration(entry.getFilename()) && entry.getAttributes().isDirectory()) {
				generations.add(entry.getFilename());
			}
		}
		generations.sort(Comparator.naturalOrder());
		return generations;
	}

	@Override
	public List<String> databasesBelow(boolean recursive) throws IOException {
		return new SftpDatabaseWalk((dir) -> list(dir, "list databases")).below(remote(""), recursive);
	}

	@Override
	public List<SnapshotInfo> snapshots(String generation) throws IOException {
		List<SnapshotInfo> snapshots = new ArrayList<>();
		for (DirEntry entry : list(remote(ReplicaLayout.snapshotsDir(generation)), "list snapshots")) {
			Optional<Long> index = ReplicaLayout.parseSnapshotName(entry.getFilename());
			if (index.isPresent() && entry.getAttributes().isRegularFile()) {
				snapshots.add(new SnapshotInfo(generation, index.get(), entry.getAttributes().getSize(),
						modified(entry.getAttributes())));
			}
		}
		snapshots.sort(Comparator.comparingLong(SnapshotInfo::index));
		return snapshots;
	}

	@Override
	public List<WalSegmentInfo> walSegments(String generation) throws IOException {
		List<WalSegmentInfo> segments = new ArrayList<>();
		for (DirEntry entry : list(remote(ReplicaLayout.walDir(generation)), "list WAL segments")) {
			Optional<Pos> pos = ReplicaLayout.parseWalSegmentName(generation, entry.getFilename());
			if (pos.isPresent() && entry.getAttributes().isRegularFile()) {
				segments.add(new WalSegmentInfo(generation, pos.get().index(), pos.get().offset(),
						entry.getAttributes().getSize(), modified(entry.getAttributes())));
			}
		}
		segments.sort(Comparator.comparing(WalSegmentInfo::pos));
		return segments;
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		Instant startedAt = Instant.now();
		long size = upload(remote(ReplicaLayout.snapshotKey(generation, index)), lz4);
		return new SnapshotInfo(generation, index, size, startedAt);
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		return download(remote(ReplicaLayout.snapshotKey(generation, index)));
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		Instant startedAt = Instant.now();
		long size = upload(remote(ReplicaLayout.walSegmentKey(pos)), lz4);
		return new WalSegmentInfo(pos.generation(), pos.index(), pos.offset(), size, startedAt);
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		return download(remote(ReplicaLayout.walSegmentKey(pos)));
	}

	@Override
	public void deleteSnapshot(String generation, long index) throws IOException {
		remove(remote(ReplicaLayout.snapshotKey(generation, index)));
	}

	@Override
	public void deleteWalSegments(Collection<Pos> segments) throws IOException {
		for (Pos pos : segments) {
			remove(remote(ReplicaLayout.walSegmentKey(pos)));
		}
	}

	@Override
	public void deleteGeneration(String generation) throws IOException {
		String dir = remote(ReplicaLayout.generationDir(generation));
		this.directories.forgetTree(dir);
		deleteTree(dir);
	}

	/** Numbered files claimed by hard link, see {@link SftpConditionalObjects}. */
	@Override
	public Optional<ConditionalObjects> conditionalObjects() {
		return Optional.of(this.conditionalObjects);
	}

	@Override
	public void close() {
		if (this.ownsConnection) {
			this.connection.close();
		}
	}

	@Override
	public String toString() {
		return "SFTP replica " + location();
	}

	private String remote(String relative) {
		return this.config.remotePath(relative);
	}

	private List<DirEntry> list(String dir, String action) throws IOException {
		List<DirEntry> entries = listIfExists(dir, action);
		return (entries != null) ? entries : List.of();
	}

	/**
	 * Lists a directory; {@code null} if it does not exist (which lists as empty, like a
	 * prefix with no objects).
	 */
	private @Nullable List<DirEntry> listIfExists(String dir, String action) throws IOException {
		try {
			return this.requests.retrying(action, dir, (sftp) -> SftpFiles.readDirIfExists(sftp, dir));
		}
		finally {
			this.listener.onOperation(ReplicaOperation.LIST, 0);
		}
	}

	private InputStream download(String path) throws IOException {
		try {
			return this.requests.retryingHeld("read object", path,
					(channel) -> new SftpDownload(channel.sftp().read(path, BUFFER_SIZE), channel, path, this.config, this.listener));
		}
		catch (IOException ex) {
			this.listener.onOperation(ReplicaOperation.GET, 0);
			throw ex;
		}
	}

	private long upload(String target, InputStream content) throws IOException {
		int slash = target.lastIndexOf('/');
		String dir = (slash > 0) ? target.substring(0, slash) : (slash == 0 ? "/" : ".");
		String temp = ((slash >= 0) ? target.substring(0, slash + 1) : "") + "." + target.substring(slash + 1) + "."
				+ UUID.randomUUID() + ".tmp";
		this.requests.retrying("create directory", dir, (sftp) -> {
			this.directories.create(sftp, dir);
			return null;
		});
		// A connection found broken before the first byte of the content was read can be retried.
		boolean[] consumed = new boolean[1];
		InputStream tracked = new FilterInputStream(content) {

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				consumed[0] = true;
				return super.read(buffer, offset, length);
			}

		};
		long bytes;
		try {
			bytes = this.requests.retrying("write object", target, (sftp) -> {
				long written;
				try {
					written = SftpFiles.copy(tracked, sftp, temp, BUFFER_SIZE);
				}
				catch (IOException ex) {
					if (consumed[0] || !SftpErrors.isNoSuchFile(ex)) {
						throw ex;
					}
					// Someone removed the directory, and maybe its parents, since they were created
					// (another process's retention): forget what is known and create them again.
					this.directories.forgetAll();
					this.directories.create(sftp, dir);
					written = SftpFiles.copy(tracked, sftp, temp, BUFFER_SIZE);
				}
				SftpFiles.replace(sftp, temp, target);
				return written;
			}, () -> !consumed[0]);
		}
		catch (IOException | RuntimeException ex) {
			this.directories.forgetAll();
			removeQuietly(temp);
			throw ex;
		}
		this.listener.onOperation(ReplicaOperation.PUT, bytes);
		return bytes;
	}

	private void remove(String path) throws IOException {
		this.requests.retrying("delete object", path, (sftp) -> {
			SftpFiles.removeIfExists(sftp, path);
			return null;
		});
		this.listener.onOperation(ReplicaOperation.DELETE, 0);
	}

	private void removeQuietly(String path) {
		try {
			this.requests.once("delete temporary object", path, (sftp) -> SftpFiles.removeIfExists(sftp, path));
		}
		catch (IOException ex) {
			// A leftover temporary file matches no listing pattern; deleting its generation removes it.
		}
	}

	private void deleteTree(String dir) throws IOException {
		List<DirEntry> entries = listIfExists(dir, "list generation");
		if (entries == null) {
			return;
		}
		for (DirEntry entry : entries) {
			String name = entry.getFilename();
			if (name.equals(".") || name.equals("..")) {
				continue;
			}
			String child = dir + "/" + name;
			if (entry.getAttributes().isDirectory()) {
				deleteTree(child);
			}
			else {
				remove(child);
			}
		}
		this.requests.retrying("delete directory", dir, (sftp) -> {
			try {
				sftp.rmdir(dir);
			}
			catch (IOException ex) {
				if (!SftpErrors.isNoSuchFile(ex)) {
					throw ex;
				}
			}
			return null;
		});
	}

	private static Instant modified(Attributes attributes) {
		return (attributes.getModifyTime() != null) ? attributes.getModifyTime().toInstant() : Instant.EPOCH;
	}

}
