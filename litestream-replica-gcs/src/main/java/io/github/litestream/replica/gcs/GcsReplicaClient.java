package io.github.litestream.replica.gcs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import com.google.api.gax.paging.Page;
import com.google.cloud.ReadChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobListOption;
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
import org.jspecify.annotations.Nullable;

/**
 * A {@link ReplicaClient} on Google Cloud Storage, with Litestream's key layout under the
 * configured path in one bucket, as Litestream v0.3.14's {@code gcs} replica writes it.
 *
 * <p>Objects up to one chunk ({@value #CHUNK_SIZE} bytes, every WAL segment) are written with
 * one request; larger ones with a resumable upload that makes the object visible only when the
 * last chunk arrives ({@link GcsUploads}). Reads fetch the object's metadata, then stream its bytes in ranged requests
 * pinned to that generation, so a replaced object fails the read instead of mixing versions;
 * the first range is fetched before the stream is returned, so an object deleted in between is
 * reported missing ({@link ReplicaObjectNotFoundException}) as one that never existed.
 * Deletes go one object per request, as Litestream's do.
 */
public final class GcsReplicaClient implements ReplicaClient {

	static final int CHUNK_SIZE = 8 * 1024 * 1024;

	private final Storage storage;

	private final GcsReplicaConfig config;

	private final ReplicaOperationListener listener;

	private final String target;

	private final @Nullable Integer pageSize;

	private final GcsConditionalObjects conditionalObjects;

	private final GcsUploads uploads;

	/**
	 * Creates a client.
	 * @param storage the client, usually from {@link GcsClientFactory}; the caller closes it
	 * @param config where the replica lives
	 * @param listener told about every request
	 * @param target where requests go, for messages ({@link GcsClientFactory#target()})
	 */
	public GcsReplicaClient(Storage storage, GcsReplicaConfig config, ReplicaOperationListener listener, String target) {
		this(storage, config, listener, target, CHUNK_SIZE, null);
	}

	GcsReplicaClient(Storage storage, GcsReplicaConfig config, ReplicaOperationListener listener, String target,
			int chunkSize, @Nullable Integer pageSize) {
		this.storage = Objects.requireNonNull(storage, "storage");
		this.config = Objects.requireNonNull(config, "config");
		this.listener = Objects.requireNonNull(listener, "listener");
		this.target = target;
		this.pageSize = pageSize;
		this.conditionalObjects = new GcsConditionalObjects(storage, config, listener, target);
		this.uploads = new GcsUploads(storage, config, listener, target, chunkSize);
	}

	@Override
	public String type() {
		return "gcs";
	}

	@Override
	public String location() {
		return this.config.location();
	}

	@Override
	public List<String> generations() throws IOException {
		String prefix = name(ReplicaLayout.GENERATIONS) + "/";
		List<String> generations = new ArrayList<>();
		list(prefix, true, "list generations", (blob) -> {
			if (blob.isDirectory()) {
				String generation = stripSlash(blob.getName().substring(prefix.length()));
				if (Pos.isGeneration(generation)) {
					generations.add(generation);
				}
			}
		});
		generations.sort(Comparator.naturalOrder());
		return generations;
	}

	@Override
	public List<SnapshotInfo> snapshots(String generation) throws IOException {
		String prefix = name(ReplicaLayout.snapshotsDir(generation)) + "/";
		List<SnapshotInfo> snapshots = new ArrayList<>();
		list(prefix, true, "list snapshots", (blob) -> {
			if (!blob.isDirectory()) {
				ReplicaLayout.parseSnapshotName(blob.getName().substring(prefix.length()))
					.ifPresent((index) -> snapshots.add(new SnapshotInfo(generation, index, size(blob), updated(blob))));
			}
		});
		snapshots.sort(Comparator.comparingLong(SnapshotInfo::index));
		return snapshots;
	}

	@Override
	public List<WalSegmentInfo> walSegments(String generation) throws IOException {
		String prefix = name(ReplicaLayout.walDir(generation)) + "/";
		List<WalSegmentInfo> segments = new ArrayList<>();
		list(prefix, true, "list WAL segments", (blob) -> {
			if (!blob.isDirectory()) {
				ReplicaLayout.parseWalSegmentName(generation, blob.getName().substring(prefix.length()))
					.ifPresent((pos) -> segments.add(new WalSegmentInfo(generation, pos.index(), pos.offset(),
							size(blob), updated(blob))));
			}
		});
		segments.sort(Comparator.comparing(WalSegmentInfo::pos));
		return segments;
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		Instant startedAt = Instant.now();
		long size = this.uploads.upload(name(ReplicaLayout.snapshotKey(generation, index)), lz4);
		return new SnapshotInfo(generation, index, size, startedAt);
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		return open(name(ReplicaLayout.snapshotKey(generation, index)));
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		Instant startedAt = Instant.now();
		long size = this.uploads.upload(name(ReplicaLayout.walSegmentKey(pos)), lz4);
		return new WalSegmentInfo(pos.generation(), pos.index(), pos.offset(), size, startedAt);
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		return open(name(ReplicaLayout.walSegmentKey(pos)));
	}

	@Override
	public void deleteSnapshot(String generation, long index) throws IOException {
		delete(name(ReplicaLayout.snapshotKey(generation, index)));
	}

	@Override
	public void deleteWalSegments(Collection<Pos> segments) throws IOException {
		for (Pos pos : segments) {
			delete(name(ReplicaLayout.walSegmentKey(pos)));
		}
	}

	@Override
	public void deleteGeneration(String generation) throws IOException {
		String prefix = name(ReplicaLayout.generationDir(generation)) + "/";
		List<String> names = new ArrayList<>();
		list(prefix, false, "list generation " + generation, (blob) -> names.add(blob.getName()));
		for (String name : names) {
			delete(name);
		}
	}

	@Override
	public List<String> databasesBelow(boolean recursive) throws IOException {
		String root = this.config.path().isEmpty() ? "" : this.config.path() + "/";
		// One listing of the current directory per prefix, as for S3.
		return DatabaseWalk.databasesBelow((relative) -> directories(relative.isEmpty() ? root : root + relative + "/"),
				recursive);
	}

	private List<String> directories(String prefix) throws IOException {
		List<String> names = new ArrayList<>();
		list(prefix, true, "list databases", (blob) -> {
			if (blob.isDirectory()) {
				names.add(stripSlash(blob.getName().substring(prefix.length())));
			}
		});
		return names;
	}

	/** Preconditions on the object's generation, see {@link GcsConditionalObjects}. */
	@Override
	public Optional<ConditionalObjects> conditionalObjects() {
		return Optional.of(this.conditionalObjects);
	}

	/**
	 * The full object name of a layout path: the replica's path, a slash, then the layout
	 * path; no leading slash when the replica sits at the bucket's root.
	 * @param relative a path from {@link ReplicaLayout}
	 * @return the object name
	 */
	String name(String relative) {
		return this.config.path().isEmpty() ? relative : this.config.path() + "/" + relative;
	}

	private InputStream open(String name) throws IOException {
		Blob blob;
		try {
			blob = this.storage.get(BlobId.of(this.config.bucket(), name));
		}
		catch (RuntimeException ex) {
			this.listener.onOperation(ReplicaOperation.GET, 0);
			throw translate(ex, "read object", name, true);
		}
		if (blob == null) {
			this.listener.onOperation(ReplicaOperation.GET, 0);
			// The client answers null for a missing bucket too: a listing tells the two apart.
			requireBucket(name);
			throw new ReplicaObjectNotFoundException(
					"No object '" + name + "' in bucket '" + this.config.bucket() + "' of GCS replica " + location());
		}
		this.listener.onOperation(ReplicaOperation.GET, size(blob));
		ReadChannel reader = this.storage.reader(BlobId.of(this.config.bucket(), name, blob.getGeneration()));
		reader.setChunkSize(2 * 1024 * 1024);
		return GcsObjectStream.open(Channels.newInputStream(reader), (ex) -> translate(ex, "read object", name, true));
	}

	/** Fails naming the bucket if it does not exist: one listing, which only a missing bucket fails with 404. */
	private void requireBucket(String name) throws IOException {
		try {
			this.storage.list(this.config.bucket(), BlobListOption.prefix(name), BlobListOption.pageSize(1));
		}
		catch (RuntimeException ex) {
			throw translate(ex, "read object", name, false);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.LIST, 0);
		}
	}

	private void delete(String name) throws IOException {
		try {
			this.storage.delete(BlobId.of(this.config.bucket(), name));
		}
		catch (RuntimeException ex) {
			throw translate(ex, "delete object", name);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.DELETE, 0);
		}
	}

	private void list(String prefix, boolean oneLevel, String action, Consumer<Blob> handler) throws IOException {
		List<BlobListOption> options = new ArrayList<>(List.of(BlobListOption.prefix(prefix)));
		if (oneLevel) {
			options.add(BlobListOption.currentDirectory());
		}
		if (this.pageSize != null) {
			options.add(BlobListOption.pageSize(this.pageSize));
		}
		try {
			Page<Blob> page = this.storage.list(this.config.bucket(), options.toArray(BlobListOption[]::new));
			while (page != null) {
				this.listener.onOperation(ReplicaOperation.LIST, 0);
				page.getValues().forEach(handler);
				page = page.hasNextPage() ? page.getNextPage() : null;
			}
		}
		catch (RuntimeException ex) {
			this.listener.onOperation(ReplicaOperation.LIST, 0);
			throw translate(ex, action, prefix);
		}
	}

	private IOException translate(RuntimeException ex, String action, String name) {
		return translate(ex, action, name, false);
	}

	private IOException translate(RuntimeException ex, String action, String name, boolean readsObject) {
		return GcsErrors.translate(ex, action, this.config, name, this.target, readsObject);
	}

	private static long size(Blob blob) {
		return (blob.getSize() != null) ? blob.getSize() : 0;
	}

	private static Instant updated(Blob blob) {
		Long millis = blob.getUpdateTime();
		return (millis != null) ? Instant.ofEpochMilli(millis) : Instant.EPOCH;
	}

	private static String stripSlash(String name) {
		return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
	}

}
