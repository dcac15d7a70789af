package io.github.litestream.replica.s3;

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
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

/**
 * A {@link ReplicaClient} on S3 and S3-compatible stores (MinIO, R2, B2, Spaces, Ceph), with
 * Litestream's key layout under the configured path.
 *
 * <p>Listings page through ListObjectsV2, so generations may hold any number of objects; writes
 * stream with bounded memory (see {@link S3StreamingUploader}); deletes go in batches of at most
 * 1,000 keys. Every request is reported to the {@link ReplicaOperationListener} as it happens,
 * including each part of a multipart upload. The SDK's retries of one request are not counted
 * separately.
 *
 * <p>Listings and objects are read with signed GETs sent straight to the store where that works,
 * and through the SDK otherwise (see {@link S3DirectReader}): a restore reads one object per WAL
 * segment, in a fresh JVM, where on a {@link S3Connection} from
 * {@link S3ClientFactory#connect(S3ReplicaConfig)} it then never builds the SDK's client.
 *
 * <p>The {@link S3Client} or {@link S3Connection} belongs to the caller, who may share it between
 * replicas with the same configuration; {@link #close()} leaves it open.
 */
public final class S3ReplicaClient implements ReplicaClient {

	private static final int MAX_KEYS_PER_DELETE = 1000;

	private final S3Connection connection;

	private final S3ReplicaConfig config;

	private final ReplicaOperationListener listener;

	private final S3StreamingUploader uploader;

	private final S3BatchDeleter deleter;

	private final S3ConditionalObjects conditionalObjects;

	/** Made at the first listing or read. */
	private Optional<S3DirectReader> directReader;

	/**
	 * Creates a client with the default part size.
	 * @param s3 the S3 client, usually from {@link S3ClientFactory}
	 * @param config where the replica lives
	 * @param listener told about every request
	 */
	public S3ReplicaClient(S3Client s3, S3ReplicaConfig config, ReplicaOperationListener listener) {
		this(S3Connection.of(s3), config, listener);
	}

	/**
	 * Creates a client with the default part size on a connection, whose SDK client is then built
	 * only when something needs it (see {@link S3ClientFactory#connect(S3ReplicaConfig)}).
	 * @param connection the connection, which may be shared by replicas with the same
	 * configuration
	 * @param config where the replica lives
	 * @param listener told about every request
	 */
	public S3ReplicaClient(S3Connection connection, S3ReplicaConfig config, ReplicaOperationListener listener) {
		this(connection, config, listener, S3StreamingUploader.DEFAULT_PART_SIZE);
	}

	S3ReplicaClient(S3Client s3, S3ReplicaConfig config, ReplicaOperationListener listener, int partSize) {
		this(S3Connection.of(s3), config, listener, partSize);
	}

	S3ReplicaClient(S3Connection connection, S3ReplicaConfig config, ReplicaOperationListener listener,
			int partSize) {
		this.connection = Objects.requireNonNull(connection, "connection");
		this.config = Objects.requireNonNull(config, "config");
		this.listener = Objects.requireNonNull(listener, "listener");
		this.uploader = new S3StreamingUploader(connection::client, config, listener, partSize);
		this.deleter = new S3BatchDeleter(connection::client, config, listener, MAX_KEYS_PER_DELETE);
		this.conditionalObjects = new S3ConditionalObjects(connection::client, config, listener, this);
		connection.replicaCreated(config);
	}

	@Override
	public String type() {
		return "s3";
	}

	@Override
	public String location() {
		return this.config.location();
	}

	@Override
	public List<String> generations() throws IOException {
		String prefix = key(ReplicaLayout.GENERATIONS) + "/";
		List<String> generations = new ArrayList<>();
		list(prefix, "list generations", (page) -> {
			for (String common : page.commonPrefixes()) {
				String name = stripSlash(common.substring(prefix.length()));
				if (Pos.isGeneration(name)) {
					generations.add(name);
				}
			}
		});
		generations.sort(Comparator.naturalOrder());
		return generations;
	}

	@Override
	public List<String> databasesBelow(boolean recursive) throws IOException {
		String root = this.config.path().isEmpty() ? "" : this.config.path() + "/";
		// One listing per prefix, so a directory of N databases costs N + 1.
		return DatabaseWalk.databasesBelow((relative) -> folders(relative.isEmpty() ? root : root + relative + "/"),
				recursive);
	}

	private List<String> folders(String prefix) throws IOException {
		List<String> names = new ArrayList<>();
		list(prefix, "list databases", (page) -> page.commonPrefixes()
			.forEach((common) -> names.add(stripSlash(common.substring(prefix.length())))));
		return names;
	}

	@Override
	public List<SnapshotInfo> snapshots(String generation) throws IOException {
		String prefix = key(ReplicaLayout.snapshotsDir(generation)) + "/";
		List<SnapshotInfo> snapshots = new ArrayList<>();
		list(prefix, "list snapshots", (page) -> {
			for (S3ListingPage.ListedObject object : page.objects()) {
				ReplicaLayout.parseSnapshotName(object.key().substring(prefix.length()))
					.ifPresent((index) -> snapshots
						.add(new SnapshotInfo(generation, index, object.size(), object.lastModified())));
			}
		});
		snapshots.sort(Comparator.comparingLong(SnapshotInfo::index));
		return snapshots;
	}

	@Override
	public List<WalSegmentInfo> walSegments(String generation) throws IOException {
		String prefix = key(ReplicaLayout.walDir(generation)) + "/";
		List<WalSegmentInfo> segments = new ArrayList<>();
		list(prefix, "list WAL segments", (page) -> {
			for (S3ListingPage.ListedObject object : page.objects()) {
				ReplicaLayout.parseWalSegmentName(generation, object.key().substring(prefix.length()))
					.ifPresent((pos) -> segments.add(new WalSegmentInfo(generation, pos.index(), pos.offset(),
							object.size(), object.lastModified())));
			}
		});
		segments.sort(Comparator.comparing(WalSegmentInfo::pos));
		return segments;
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		Instant startedAt = Instant.now();
		long size = this.uploader.upload(key(ReplicaLayout.snapshotKey(generation, index)), lz4);
		return new SnapshotInfo(generation, index, size, startedAt);
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		return get(key(ReplicaLayout.snapshotKey(generation, index)));
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		Instant startedAt = Instant.now();
		long size = this.uploader.upload(key(ReplicaLayout.walSegmentKey(pos)), lz4);
		return new WalSegmentInfo(pos.generation(), pos.index(), pos.offset(), size, startedAt);
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		return get(key(ReplicaLayout.walSegmentKey(pos)));
	}

	@Override
	public void deleteSnapshot(String generation, long index) throws IOException {
		this.deleter.delete(List.of(key(ReplicaLayout.snapshotKey(generation, index))));
	}

	@Override
	public void deleteWalSegments(Collection<Pos> segments) throws IOException {
		this.deleter.delete(segments.stream().map((pos) -> key(ReplicaLayout.walSegmentKey(pos))).toList());
	}

	@Override
	public void deleteGeneration(String generation) throws IOException {
		String prefix = key(ReplicaLayout.generationDir(generation)) + "/";
		List<String> keys = new ArrayList<>();
		pages(prefix, null, "list generation " + generation,
				(page) -> page.objects().forEach((object) -> keys.add(object.key())));
		this.deleter.delete(keys);
	}

	/**
	 * PutObject with {@code If-None-Match} and {@code If-Match} (see {@code S3ConditionalObjects}).
	 * A store that ignores them is caught by the lease's probe, not here.
	 */
	@Override
	public Optional<ConditionalObjects> conditionalObjects() {
		return Optional.of(this.conditionalObjects);
	}

	/**
	 * The full key of a layout path: the replica's path, a slash, then the layout path; no
	 * leading slash when the replica sits at the bucket's root.
	 * @param relative a path from {@link ReplicaLayout}
	 * @return the key
	 */
	String key(String relative) {
		return this.config.path().isEmpty() ? relative : this.config.path() + "/" + relative;
	}

	private InputStream get(String key) throws IOException {
		Optional<S3DirectReader.DirectObject> direct = directReader().flatMap((reader) -> reader.open(key));
		if (direct.isPresent()) {
			this.listener.onOperation(ReplicaOperation.GET, direct.get().length());
			return direct.get().body();
		}
		try {
			var response = this.connection.client()
				.getObject((request) -> request.bucket(this.config.bucket()).key(key));
			GetObjectResponse metadata = response.response();
			this.listener.onOperation(ReplicaOperation.GET,
					(metadata.contentLength() != null) ? metadata.contentLength() : 0);
			return response;
		}
		catch (SdkException ex) {
			this.listener.onOperation(ReplicaOperation.GET, 0);
			throw S3Errors.translate(ex, "read object", this.config, key);
		}
	}

	private synchronized Optional<S3DirectReader> directReader() {
		if (this.directReader == null) {
			this.directReader = S3DirectReader.create(this.connection.directAccess(), this.config);
		}
		return this.directReader;
	}

	/**
	 * Leaves the connection open: it belongs to the caller, who may share it.
	 */
	@Override
	public void close() {
	}

	private void list(String prefix, String action, Consumer<S3ListingPage> pageHandler) throws IOException {
		pages(prefix, "/", action, pageHandler);
	}

	/**
	 * Pages through a listing: each page directly where that works, else through the SDK, which
	 * continues from the same token.
	 */
	private void pages(String prefix, @Nullable String delimiter, String action,
			Consumer<S3ListingPage> pageHandler) throws IOException {
		String token = null;
		do {
			S3ListingPage page;
			try {
				String continuation = token;
				Optional<S3ListingPage> direct = directReader()
					.flatMap((reader) -> reader.list(prefix, delimiter, continuation));
				page = direct.isPresent() ? direct.get() : sdkPage(prefix, delimiter, continuation, action);
			}
			finally {
				this.listener.onOperation(ReplicaOperation.LIST, 0);
			}
			pageHandler.accept(page);
			token = page.nextContinuationToken();
		}
		while (token != null);
	}

	private S3ListingPage sdkPage(String prefix, @Nullable String delimiter, @Nullable String token, String action)
			throws IOException {
		ListObjectsV2Request request = ListObjectsV2Request.builder()
			.bucket(this.config.bucket())
			.prefix(prefix)
			.delimiter(delimiter)
			.continuationToken(token)
			.build();
		ListObjectsV2Response response;
		try {
			response = this.connection.client().listObjectsV2(request);
		}
		catch (SdkException ex) {
			throw S3Errors.translate(ex, action, this.config, prefix);
		}
		if (Boolean.TRUE.equals(response.isTruncated())
				&& (response.nextContinuationToken() == null || response.nextContinuationToken().isEmpty())) {
			// Stopping at this page would drop keys silently: a restore would miss WAL segments.
			throw new IOException("Cannot " + action + " " + location() + ": the store says the listing of '"
					+ prefix + "' goes on but gives no continuation token; it does not seem to support "
					+ "ListObjectsV2 (list-type=2), which the replica needs");
		}
		return S3ListingPage.of(response);
	}

	private static String stripSlash(String name) {
		return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
	}

}
