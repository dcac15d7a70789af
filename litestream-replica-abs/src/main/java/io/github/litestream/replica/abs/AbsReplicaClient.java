package io.github.litestream.replica.abs;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import com.azure.core.http.rest.PagedResponse;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.specialized.BlobInputStream;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.DatabaseWalk;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaLayout;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ReplicaClient} on Azure Blob Storage (and Azurite), with Litestream's key layout
 * under the configured path in one container, as Litestream v0.3.14's {@code abs} replica
 * writes it.
 *
 * <p>Listings page through the service's results, so a generation may hold any number of
 * blobs; writes stream with bounded memory (see {@link AbsBlockUploader}); reads stream in
 * ranged requests of {@value #READ_BLOCK_SIZE} bytes, pinned to the blob's ETag so a blob
 * replaced meanwhile fails the read instead of mixing two versions. Every request is reported
 * to the {@link ReplicaOperationListener}; the SDK's retries of one request are not counted
 * separately.
 */
public final class AbsReplicaClient implements ReplicaClient {

	static final int READ_BLOCK_SIZE = 4 * 1024 * 1024;

	private final BlobContainerClient container;

	private final AbsReplicaConfig config;

	private final ReplicaOperationListener listener;

	private final AbsBlockUploader uploader;

	private final @Nullable Integer pageSize;

	private final AbsConditionalObjects conditionalObjects;

	/**
	 * Creates a client with the default block size.
	 * @param container the container's client, usually from {@link AbsClientFactory}
	 * @param config where the replica lives
	 * @param listener told about every request
	 */
	public AbsReplicaClient(BlobContainerClient container, AbsReplicaConfig config, ReplicaOperationListener listener) {
		this(container, config, listener, AbsBlockUploader.DEFAULT_BLOCK_SIZE, null);
	}

	AbsReplicaClient(BlobContainerClient container, AbsReplicaConfig config, ReplicaOperationListener listener,
			int blockSize, @Nullable Integer pageSize) {
		this.container = Objects.requireNonNull(container, "container");
		this.config = Objects.requireNonNull(config, "config");
		this.listener = Objects.requireNonNull(listener, "listener");
		this.uploader = new AbsBlockUploader(container, config, listener, blockSize);
		this.pageSize = pageSize;
		this.conditionalObjects = new AbsConditionalObjects(container, config, listener);
	}

	@Override
	public String type() {
		return "abs";
	}

	@Override
	public String location() {
		return this.config.location();
	}

	@Override
	public List<String> generations() throws IOException {
		String prefix = name(ReplicaLayout.GENERATIONS) + "/";
		List<String> generations = new ArrayList<>();
		list(prefix, true, "list generations", (item) -> {
			if (Boolean.TRUE.equals(item.isPrefix())) {
				String generation = stripSlash(item.getName().substring(prefix.length()));
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
		list(prefix, true, "list snapshots", (item) -> {
			if (!Boolean.TRUE.equals(item.isPrefix())) {
				ReplicaLayout.parseSnapshotName(item.getName().substring(prefix.length()))
					.ifPresent((index) -> snapshots.add(new SnapshotInfo(generation, index, size(item), modified(item))));
			}
		});
		snapshots.sort(Comparator.comparingLong(SnapshotInfo::index));
		return snapshots;
	}

	@Override
	public List<WalSegmentInfo> walSegments(String generation) throws IOException {
		String prefix = name(ReplicaLayout.walDir(generation)) + "/";
		List<WalSegmentInfo> segments = new ArrayList<>();
		list(prefix, true, "list WAL segments", (item) -> {
			if (!Boolean.TRUE.equals(item.isPrefix())) {
				ReplicaLayout.parseWalSegmentName(generation, item.getName().substring(prefix.length()))
					.ifPresent((pos) -> segments.add(new WalSegmentInfo(generation, pos.index(), pos.offset(),
							size(item), modified(item))));
			}
		});
		segments.sort(Comparator.comparing(WalSegmentInfo::pos));
		return segments;
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		Instant startedAt = Instant.now();
		long size = this.uploader.upload(name(ReplicaLayout.snapshotKey(generation, index)), lz4);
		return new SnapshotInfo(generation, index, size, startedAt);
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		return open(name(ReplicaLayout.snapshotKey(generation, index)));
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		Instant startedAt = Instant.now();
		long size = this.uploader.upload(name(ReplicaLayout.walSegmentKey(pos)), lz4);
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
		list(prefix, false, "list generation " + generation, (item) -> names.add(item.getName()));
		for (String name : names) {
			delete(name);
		}
	}

	@Override
	public List<String> databasesBelow(boolean recursive) throws IOException {
		String root = this.config.path().isEmpty() ? "" : this.config.path() + "/";
		// One hierarchical listing per virtual directory, as for S3.
		return DatabaseWalk.databasesBelow((relative) -> directories(relative.isEmpty() ? root : root + relative + "/"),
				recursive);
	}

	private List<String> directories(String prefix) throws IOException {
		List<String> names = new ArrayList<>();
		list(prefix, true, "list databases", (item) -> {
			if (Boolean.TRUE.equals(item.isPrefix())) {
				names.add(stripSlash(item.getName().substring(prefix.length())));
			}
		});
		return names;
	}

	/**
	 * Conditional writes through Azure's ETags, see {@link AbsConditionalObjects}.
	 */
	@Override
	public Optional<ConditionalObjects> conditionalObjects() {
		return Optional.of(this.conditionalObjects);
	}

	/**
	 * The full blob name of a layout path: the replica's path, a slash, then the layout path;
	 * no leading slash when the replica sits at the container's root.
	 * @param relative a path from {@link ReplicaLayout}
	 * @return the blob name
	 */
	String name(String relative) {
		return this.config.path().isEmpty() ? relative : this.config.path() + "/" + relative;
	}

	private InputStream open(String name) throws IOException {
		BlobInputStream in;
		try {
			in = this.container.getBlobClient(name)
				.openInputStream(new BlobInputStreamOptions().setBlockSize(READ_BLOCK_SIZE));
		}
		catch (RuntimeException ex) {
			this.listener.onOperation(ReplicaOperation.GET, 0);
			throw AbsErrors.translate(ex, "read blob", this.config, name);
		}
		this.listener.onOperation(ReplicaOperation.GET, in.getProperties().getBlobSize());
		return in;
	}

	private void delete(String name) throws IOException {
		try {
			this.container.getBlobClient(name).deleteIfExists();
		}
		catch (RuntimeException ex) {
			throw AbsErrors.translate(ex, "delete blob", this.config, name);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.DELETE, 0);
		}
	}

	private void list(String prefix, boolean oneLevel, String action, Consumer<BlobItem> handler) throws IOException {
		ListBlobsOptions options = new ListBlobsOptions().setPrefix(prefix).setMaxResultsPerPage(this.pageSize);
		try {
			Iterable<PagedResponse<BlobItem>> pages = oneLevel
					? this.container.listBlobsByHierarchy("/", options, null).iterableByPage()
					: this.container.listBlobs(options, null).iterableByPage();
			for (PagedResponse<BlobItem> page : pages) {
				this.listener.onOperation(ReplicaOperation.LIST, 0);
				page.getValue().forEach(handler);
			}
		}
		catch (RuntimeException ex) {
			this.listener.onOperation(ReplicaOperation.LIST, 0);
			throw AbsErrors.translate(ex, action, this.config, prefix);
		}
	}

	private static long size(BlobItem item) {
		Long length = (item.getProperties() != null) ? item.getProperties().getContentLength() : null;
		return (length != null) ? length : 0;
	}

	private static Instant modified(BlobItem item) {
		return (item.getProperties() != null && item.getProperties().getLastModified() != null)
				? item.getProperties().getLastModified().toInstant() : Instant.EPOCH;
	}

	private static String stripSlash(String name) {
		return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
	}

}
