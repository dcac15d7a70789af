package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import io.github.litestream.db.Pos;
import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaLayout;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * Downloads WAL indexes ahead of the applier: each index's segments are decompressed, in
 * offset order, into one local WAL file. Several indexes are fetched at once, but never more
 * than a fixed window ahead of the index being applied, so disk use stays bounded however
 * long the history is.
 *
 * <p>Segment offsets must be contiguous: each segment starts exactly where the previous one's
 * decompressed bytes end. That can only be checked here, once the decompressed sizes are
 * known.
 */
final class WalIndexFetcher implements AutoCloseable {

	private static final AtomicInteger POOLS = new AtomicInteger();

	private final ReplicaClient client;

	private final List<RestorePlan.WalIndex> indexes;

	private final LongFunction<Path> fileForIndex;

	private final ExecutorService pool;

	private final int window;

	private final List<Future<Path>> futures = new ArrayList<>();

	private final AtomicLong fetchNanos = new AtomicLong();

	private final AtomicLong walBytes = new AtomicLong();

	/**
	 * Creates a fetcher.
	 * @param client the replica
	 * @param indexes the indexes to fetch, in apply order
	 * @param parallelism how many downloads run at once
	 * @param fileForIndex where each index's WAL goes; the caller owns (and removes) these files
	 */
	WalIndexFetcher(ReplicaClient client, List<RestorePlan.WalIndex> indexes, int parallelism,
			LongFunction<Path> fileForIndex) {
		this.client = client;
		this.indexes = indexes;
		this.fileForIndex = fileForIndex;
		this.pool = Executors.newFixedThreadPool(parallelism, threadFactory());
		this.window = parallelism * 2;
	}

	/**
	 * Waits for the WAL of the {@code position}-th index, first scheduling downloads up to the
	 * window ahead of it.
	 * @param position the position in the list of indexes, in order
	 * @return the local WAL file
	 * @throws IOException if a segment cannot be read or is not contiguous
	 */
	Path await(int position) throws IOException {
		while (this.futures.size() < this.indexes.size() && this.futures.size() <= position + this.window) {
			RestorePlan.WalIndex walIndex = this.indexes.get(this.futures.size());
			this.futures.add(this.pool.submit(() -> fetch(walIndex)));
		}
		try {
			return this.futures.get(position).get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while fetching WAL from " + this.client.location());
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof IOException io) {
				throw io;
			}
			throw new RestoreException("Fetching WAL from " + this.client.location() + " failed: " + ex.getCause(),
					ex.getCause());
		}
	}

	/**
	 * Time spent downloading and decompressing, summed over all workers.
	 * @return nanoseconds
	 */
	long fetchNanos() {
		return this.fetchNanos.get();
	}

	/**
	 * Decompressed WAL bytes fetched so far.
	 * @return bytes
	 */
	long walBytes() {
		return this.walBytes.get();
	}

	/**
	 * Stops all downloads and waits for them, so no file is written after this returns.
	 */
	@Override
	public void close() {
		this.pool.shutdownNow();
		try {
			if (!this.pool.awaitTermination(1, TimeUnit.MINUTES)) {
				throw new IllegalStateException("WAL downloads did not stop within a minute");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private Path fetch(RestorePlan.WalIndex walIndex) throws IOException {
		long start = System.nanoTime();
		Path file = this.fileForIndex.apply(walIndex.index());
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
			OutputStream out = Channels.newOutputStream(channel);
			long written = 0;
			for (WalSegmentInfo segment : walIndex.segments()) {
				if (segment.offset() != written) {
					throw notContiguous(segment, written);
				}
				written += copySegment(segment, out);
			}
			this.walBytes.addAndGet(written);
			return file;
		}
		finally {
			this.fetchNanos.addAndGet(System.nanoTime() - start);
		}
	}

	private long copySegment(WalSegmentInfo segment, OutputStream out) throws IOException {
		String key = ReplicaLayout.walSegmentKey(segment.pos());
		try (InputStream compressed = this.client.openWalSegment(segment.pos());
				InputStream in = Lz4.decompress(compressed)) {
			return in.transferTo(out);
		}
		catch (InterruptedIOException ex) {
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			throw new RestoreException("Cannot read WAL segment " + key + " in " + this.client.location() + ": "
					+ ex.getMessage() + "; the object is missing, truncated or corrupt. Restore up to index "
					+ Pos.hex(Math.max(0, segment.index() - 1)) + " with index=, or from another replica", ex);
		}
	}

	private RestoreException notContiguous(WalSegmentInfo segment, long expected) {
		String problem = (segment.offset() > expected) ? "leaves a gap" : "overlaps the previous segment";
		return new RestoreException("WAL segments are not contiguous in " + this.client.location() + ": "
				+ ReplicaLayout.walSegmentKey(segment.pos()) + " starts at offset " + Pos.hex(segment.offset())
				+ " but the segments before it end at offset " + Pos.hex(expected) + " (" + problem + ") in generation="
				+ segment.generation() + " index=" + Pos.hex(segment.index()) + "; restore up to index "
				+ Pos.hex(Math.max(0, segment.index() - 1)) + " with index=, or from another replica");
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

}
