package io.github.litestream.restore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaLayout;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * Downloads WAL segments ahead of the applier, holding small ones in memory and writing the
 * others into one local WAL file per index.
 *
 * <p>The unit of work is a segment, not an index: a segment's offset says where its
 * decompressed bytes go in its index's WAL, so the segments of one index download in
 * parallel too (an index of a thousand segments is common when checkpoints are rare, and
 * fetching them one after another costs a thousand round trips on S3). Downloads run ahead of
 * the index being applied by a window of {@value #WINDOW_BYTES} compressed bytes (or one segment
 * per worker, if more), so disk use stays bounded however long the history is; the window is
 * wide enough that the workers keep busy while the snapshot is decompressed. The applier's own thread fetches the segments of the index it
 * waits for that no worker has started yet, so it never idles while there is work (with
 * {@code parallelism} 1 this doubles the decompression rate on two cores). {@link #start()} can be called before the snapshot is
 * restored, so that both proceed at once.
 *
 * <p>A small segment (most are: one sync interval's changes) is read whole and decompressed
 * into one array, kept in memory while the budget of {@link FetchLimits} allows; the applier
 * then reads it from there. Otherwise, and for larger segments, the bytes go to the index's
 * temporary file, so memory stays bounded whatever the segments hold. In a fresh JVM this
 * takes the writing and reading back of every WAL byte and most of the garbage off a restore.
 *
 * <p>Segment offsets must be contiguous: each segment starts exactly where the previous one's
 * decompressed bytes end. That can only be checked once the decompressed sizes are known, so
 * it is checked when the index is awaited.
 */
final class WalIndexFetcher implements AutoCloseable {

	private static final AtomicInteger POOLS = new AtomicInteger();

	/** Compressed bytes fetched ahead of the index being applied. */
	static final long WINDOW_BYTES = 64L * 1024 * 1024;

	private final FetchLimits limits;

	private final ReplicaClient client;

	private final List<RestorePlan.WalIndex> indexes;

	private final List<Download> downloads = new ArrayList<>();

	private final int[] firstDownload;

	private final LongFunction<Path> fileForIndex;

	private final ExecutorService pool;

	private final int windowSegments;

	private final List<IndexFile> files = new ArrayList<>();

	private final AtomicLong heldBytes = new AtomicLong();

	private final AtomicLong fetchNanos = new AtomicLong();

	private final AtomicLong walBytes = new AtomicLong();

	private int scheduled;

	/** Compressed bytes of the segments scheduled but not yet awaited. */
	private long scheduledBytes;

	/**
	 * Creates a fetcher.
	 * @param client the replica
	 * @param indexes the indexes to fetch, in apply order
	 * @param parallelism how many downloads run at once
	 * @param fileForIndex where each index's WAL goes; the caller owns (and removes) these files
	 */
	WalIndexFetcher(ReplicaClient client, List<RestorePlan.WalIndex> indexes, int parallelism,
			LongFunction<Path> fileForIndex) {
		this(client, indexes, parallelism, fileForIndex, FetchLimits.DEFAULT);
	}

	/**
	 * Creates a fetcher with other limits on what is held in memory than the defaults.
	 * @param client the replica
	 * @param indexes the indexes to fetch, in apply order
	 * @param parallelism how many downloads run at once
	 * @param fileForIndex where each index's WAL goes; the caller owns (and removes) these files
	 * @param limits what may be held in memory
	 */
	WalIndexFetcher(ReplicaClient client, List<RestorePlan.WalIndex> indexes, int parallelism,
			LongFunction<Path> fileForIndex, FetchLimits limits) {
		this.client = client;
		this.limits = limits;
		this.indexes = indexes;
		this.fileForIndex = fileForIndex;
		this.pool = Executors.newFixedThreadPool(parallelism, threadFactory());
		this.windowSegments = parallelism;
		this.firstDownload = new int[indexes.size() + 1];
		for (int i = 0; i < indexes.size(); i++) {
			this.firstDownload[i] = this.downloads.size();
			for (WalSegmentInfo segment : indexes.get(i).segments()) {
				this.downloads.add(new Download(i, segment));
			}
		}
		this.firstDownload[indexes.size()] = this.downloads.size();
	}

	/**
	 * Schedules the first window of downloads without waiting for any of them.
	 * @throws IOException if a local WAL file cannot be created
	 */
	void start() throws IOException {
		schedule(this.windowSegments);
	}

	/**
	 * Waits for the WAL of the {@code position}-th index, first scheduling downloads up to the
	 * window ahead of it. Indexes must be awaited in order.
	 * @param position the position in the list of indexes, in order
	 * @return the index's WAL, complete; the caller closes it
	 * @throws IOException if a segment cannot be read or is not contiguous
	 */
	FetchedWal await(int position) throws IOException {
		int first = this.firstDownload[position];
		int end = this.firstDownload[position + 1];
		schedule(Math.max(end, first + this.windowSegments));
		// Rather than wait idle, the applier fetches this index's segments that no worker has
		// started yet (a task runs once, whoever gets to it first).
		for (int d = first; d < end; d++) {
			this.downloads.get(d).task.run();
		}
		long expected = 0;
		long held = 0;
		List<FetchedWal.Piece> pieces = new ArrayList<>(end - first);
		for (int d = first; d < end; d++) {
			Download download = this.downloads.get(d);
			FetchedWal.Piece piece = result(download);
			// The finished task would keep the segment's bytes for the rest of the restore.
			download.task = null;
			if (download.segment.offset() != expected) {
				throw notContiguous(download.segment, expected);
			}
			pieces.add(piece);
			expected += piece.length();
			held += (piece.bytes() != null) ? piece.length() : 0;
			this.scheduledBytes -= download.segment.size();
		}
		this.walBytes.addAndGet(expected);
		long release = held;
		IndexFile file = this.files.get(position);
		this.files.set(position, null);
		return new FetchedWal(pieces, file.opened(), file.path, () -> this.heldBytes.addAndGet(-release));
	}

	/**
	 * Time spent downloading and decompressing, summed over all workers.
	 * @return nanoseconds
	 */
	long fetchNanos() {
		return this.fetchNanos.get();
	}

	/**
	 * Decompressed WAL bytes of the indexes awaited so far.
	 * @return bytes
	 */
	long walBytes() {
		return this.walBytes.get();
	}

	/**
	 * Stops all downloads and waits for them, so no file is written after this returns, even
	 * when the calling thread was interrupted (a follower that is interrupted lets go of its
	 * files once this returns).
	 */
	@Override
	public void close() {
		try {
			if (!RestoreThread.stop(this.pool)) {
				throw new IllegalStateException("WAL downloads did not stop within a minute");
			}
		}
		finally {
			for (IndexFile file : this.files) {
				if (file != null) {
					closeQuietly(file.opened());
				}
			}
		}
	}

	/** Schedules downloads up to the {@code upTo}-th, and further while the window has room. */
	private void schedule(int upTo) throws IOException {
		while (this.scheduled < this.downloads.size()
				&& (this.scheduled < upTo || this.scheduledBytes < WINDOW_BYTES)) {
			Download download = this.downloads.get(this.scheduled++);
			this.scheduledBytes += download.segment.size();
			IndexFile file = file(download.indexPosition);
			download.task = new FutureTask<>(() -> fetch(download.segment, file));
			this.pool.execute(download.task);
		}
	}

	/** The local WAL file of an index, named when its first segment is scheduled. */
	private IndexFile file(int indexPosition) {
		while (this.files.size() <= indexPosition) {
			this.files.add(new IndexFile(this.fileForIndex.apply(this.indexes.get(this.files.size()).index())));
		}
		return this.files.get(indexPosition);
	}

	private FetchedWal.Piece result(Download download) throws IOException {
		try {
			return download.task.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while fetching WAL from " + this.client.location());
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof IOException io) {
				throw io;
			}
			if (ex.getCause() instanceof UncheckedIOException io) {
				throw io.getCause();
			}
			throw new RestoreException("Fetching WAL from " + this.client.location() + " failed: " + ex.getCause(),
					ex.getCause());
		}
	}

	/** Decompresses one segment into memory, or into its index's WAL file at the segment's offset. */
	private FetchedWal.Piece fetch(WalSegmentInfo segment, IndexFile file) throws IOException {
		long start = System.nanoTime();
		String key = ReplicaLayout.walSegmentKey(segment.pos());
		try (InputStream compressed = ObjectDownload.open(() -> this.client.openWalSegment(segment.pos()))) {
			if (segment.size() > this.limits.smallSegmentBytes()) {
				return inFile(segment, Lz4.decompress(compressed), file);
			}
			byte[] whole = compressed.readAllBytes();
			byte[] bytes = Lz4.decompress(whole, this.limits.segmentMemoryLimit());
			if (bytes == null) {
				return inFile(segment, Lz4.decompress(new ByteArrayInputStream(whole)), file);
			}
			if (this.heldBytes.addAndGet(bytes.length) > this.limits.memoryBudget()) {
				this.heldBytes.addAndGet(-bytes.length);
				return inFile(segment, new ByteArrayInputStream(bytes), file);
			}
			return new FetchedWal.Piece(segment.offset(), bytes.length, bytes);
		}
		catch (InterruptedIOException | LocalFileException ex) {
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			if (ObjectDownload.failedToDownload(ex)) {
				throw new RestoreException("Cannot download WAL segment " + key + " from " + this.client.location()
						+ ": " + ex.getMessage() + "; the replica did not answer, restore again once it does", ex);
			}
			if (RestoreException.noIdentityCause(ex).isPresent()) {
				throw RestoreException.noIdentity("WAL segment " + key + " in " + this.client.location(),
						RestoreException.noIdentityCause(ex).get());
			}
			throw new RestoreException("Cannot read WAL segment " + key + " in " + this.client.location() + ": "
					+ ex.getMessage() + "; the object is missing, truncated or corrupt. Restore up to the index before it (index="
					+ Pos.hex(Math.max(0, segment.index() - 1)) + "), or from another replica",
					DamagedObject.wal(segment.generation(), segment.index()), ex);
		}
		finally {
			this.fetchNanos.addAndGet(System.nanoTime() - start);
		}
	}

	private static FetchedWal.Piece inFile(WalSegmentInfo segment, InputStream decompressed, IndexFile file)
			throws IOException {
		try (InputStream in = decompressed) {
			FileChannel channel;
			try {
				channel = file.channel();
			}
			catch (IOException ex) {
				throw new LocalFileException("the restore's temporary WAL file", ex);
			}
			long length = StreamToFile.copy(in, channel, segment.offset());
			return new FetchedWal.Piece(segment.offset(), length, null);
		}
	}

	private RestoreException notContiguous(WalSegmentInfo segment, long expected) {
		String problem = (segment.offset() > expected) ? "leaves a gap" : "overlaps the previous segment";
		return new RestoreException("WAL segments are not contiguous in " + this.client.location() + ": "
				+ ReplicaLayout.walSegmentKey(segment.pos()) + " starts at offset " + Pos.hex(segment.offset())
				+ " but the segments before it end at offset " + Pos.hex(expected) + " (" + problem + ") in generation="
				+ segment.generation() + " index=" + Pos.hex(segment.index()) + "; restore up to the index before it (index="
				+ Pos.hex(Math.max(0, segment.index() - 1)) + "), or from another replica",
				DamagedObject.wal(segment.generation(), segment.index()), null);
	}

	/**
	 * An index's temporary WAL file, created by the first segment that does not stay in memory.
	 */
	private static final class IndexFile {

		private final Path path;

		private FileChannel channel;

		private IndexFile(Path path) {
			this.path = path;
		}

		synchronized FileChannel channel() throws IOException {
			if (this.channel == null) {
				this.channel = FileChannel.open(this.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
						StandardOpenOption.WRITE);
			}
			return this.channel;
		}

		synchronized FileChannel opened() {
			return this.channel;
		}

	}

	private static void closeQuietly(FileChannel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// Only a temporary file that the executor removes anyway.
			}
		}
	}

	private static ThreadFactory threadFactory() {
		int pool = POOLS.incrementAndGet();
		AtomicInteger threads = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, "litestream-restore-" + pool + "-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/** One segment to fetch and, once scheduled, its result: the decompressed bytes or where they are. */
	private static final class Download {

		private final int indexPosition;

		private final WalSegmentInfo segment;

		private FutureTask<FetchedWal.Piece> task;

		private Download(int indexPosition, WalSegmentInfo segment) {
			this.indexPosition = indexPosition;
			this.segment = segment;
		}

	}

}
