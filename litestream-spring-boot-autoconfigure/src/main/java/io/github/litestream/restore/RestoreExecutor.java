package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.litestream.db.Pos;
import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.ReplicaClient;

/**
 * Carries out one {@link RestorePlan}.
 *
 * <p>Everything happens in hidden temporary files next to the output (same directory, so the
 * final rename is atomic): the snapshot is streamed through the LZ4 decoder into a temporary
 * database, WAL indexes are fetched ahead in parallel by a {@link WalIndexFetcher} and applied
 * strictly in order by a {@link WalApplier}, the result must pass
 * {@code PRAGMA integrity_check}, and only then is it forced to disk and renamed into place,
 * after stale {@code -wal}, {@code -shm} and {@code .<name>-litestream} leftovers of an
 * earlier database are removed. Whatever fails, the temporary files are removed and the output
 * path is never written. Memory use does not depend on the database size: everything streams.
 */
final class RestoreExecutor {

	private static final Logger logger = LoggerFactory.getLogger(RestoreExecutor.class);

	private static final long PROGRESS_INTERVAL_NANOS = 10_000_000_000L;

	private final ReplicaClient client;

	private final RestorePlan plan;

	private final Path output;

	private final int parallelism;

	private final Path temporaryDatabase;

	private final Queue<Path> temporaryFiles = new ConcurrentLinkedQueue<>();

	RestoreExecutor(ReplicaClient client, RestorePlan plan, Path output, int parallelism) {
		this.client = client;
		this.plan = plan;
		this.output = output;
		this.parallelism = parallelism;
		String prefix = "." + output.getFileName() + "-restore-" + UUID.randomUUID();
		this.temporaryDatabase = output.resolveSibling(prefix + ".db");
		for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
			this.temporaryFiles.add(sibling(this.temporaryDatabase, suffix));
		}
	}

	/**
	 * Restores the plan to the output path.
	 * @return decompressed WAL bytes applied
	 * @throws IOException if anything fails; the output path is then untouched
	 */
	long execute() throws IOException {
		long start = System.nanoTime();
		try {
			Files.createDirectories(this.output.toAbsolutePath().getParent());
			long snapshotBytes = restoreSnapshot();
			WalApplier applier = new WalApplier(this.temporaryDatabase, this.client.location(), this.plan.generation());
			Stats stats = applyWal(applier);
			applier.checkIntegrity();
			install();
			long elapsed = System.nanoTime() - start;
			long bytes = snapshotBytes + stats.walBytes();
			logger.info("Restored {} to generation={} index={}: snapshot {} ({} bytes) + {} WAL indexes ({} segments, "
					+ "{} bytes) in {} ms ({} MB/s); fetching took {} ms over {} workers, applying {} ms, waiting for "
					+ "downloads {} ms", this.output, this.plan.generation(), Pos.hex(this.plan.targetIndex()),
					Pos.hex(this.plan.snapshot().index()), snapshotBytes, this.plan.walIndexes().size(),
					this.plan.segmentCount(), stats.walBytes(), millis(elapsed),
					String.format("%.1f", bytes / 1e6 / Math.max(elapsed / 1e9, 1e-9)), millis(stats.fetchNanos()),
					this.parallelism, millis(stats.applyNanos()), millis(stats.waitNanos()));
			return stats.walBytes();
		}
		finally {
			removeTemporaryFiles();
		}
	}

	private long restoreSnapshot() throws IOException {
		String key = this.plan.snapshotKey();
		try (FileChannel channel = FileChannel.open(this.temporaryDatabase, StandardOpenOption.CREATE_NEW,
				StandardOpenOption.WRITE)) {
			long bytes;
			try (InputStream compressed = this.client.openSnapshot(this.plan.generation(),
					this.plan.snapshot().index()); InputStream in = Lz4.decompress(compressed)) {
				bytes = in.transferTo(Channels.newOutputStream(channel));
			}
			catch (InterruptedIOException ex) {
				throw ex;
			}
			catch (IOException | RuntimeException ex) {
				throw new RestoreException("Cannot read snapshot " + key + " in " + this.client.location() + ": "
						+ ex.getMessage() + "; the object is missing, truncated or corrupt. Restore from an earlier "
						+ "snapshot with an index below " + Pos.hex(this.plan.snapshot().index())
						+ ", or from another replica",
						ex);
			}
			logger.debug("Snapshot {} decompressed: {} bytes", key, bytes);
			return bytes;
		}
	}

	private Stats applyWal(WalApplier applier) throws IOException {
		List<RestorePlan.WalIndex> indexes = this.plan.walIndexes();
		long applyNanos = 0;
		long waitNanos = 0;
		long lastProgress = System.nanoTime();
		try (WalIndexFetcher fetcher = new WalIndexFetcher(this.client, indexes, this.parallelism, this::walFile)) {
			for (int i = 0; i < indexes.size(); i++) {
				long waitStart = System.nanoTime();
				Path wal = fetcher.await(i);
				long applyStart = System.nanoTime();
				waitNanos += applyStart - waitStart;
				int frames = applier.apply(wal, indexes.get(i).index());
				applyNanos += System.nanoTime() - applyStart;
				logger.debug("Applied WAL index {} ({} segments, {} frames)", Pos.hex(indexes.get(i).index()),
						indexes.get(i).segments().size(), frames);
				if (System.nanoTime() - lastProgress > PROGRESS_INTERVAL_NANOS) {
					lastProgress = System.nanoTime();
					logger.info("Restoring {}: applied {} of {} WAL indexes ({} WAL bytes fetched so far)", this.output,
							i + 1, indexes.size(), fetcher.walBytes());
				}
			}
			return new Stats(fetcher.walBytes(), fetcher.fetchNanos(), applyNanos, waitNanos);
		}
	}

	private Path walFile(long index) {
		Path file = sibling(this.temporaryDatabase, "." + Pos.hex(index) + ".wal");
		this.temporaryFiles.add(file);
		return file;
	}

	private void install() throws IOException {
		try (FileChannel channel = FileChannel.open(this.temporaryDatabase, StandardOpenOption.WRITE)) {
			channel.force(true);
		}
		if (Files.exists(this.output)) {
			throw new RestoreException("Cannot restore to " + this.output + ": the file appeared while restoring; "
					+ "make sure nothing else creates the database before the restore finishes");
		}
		Files.deleteIfExists(sibling(this.output, "-wal"));
		Files.deleteIfExists(sibling(this.output, "-shm"));
		deleteTree(this.output.resolveSibling("." + this.output.getFileName() + "-litestream"));
		Files.move(this.temporaryDatabase, this.output, StandardCopyOption.ATOMIC_MOVE);
		forceDirectory(this.output.toAbsolutePath().getParent());
	}

	private void removeTemporaryFiles() {
		for (Path file : this.temporaryFiles) {
			try {
				Files.deleteIfExists(file);
			}
			catch (IOException ex) {
				logger.warn("Could not remove temporary restore file {}: {}", file, ex.getMessage());
			}
		}
	}

	private static void deleteTree(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		logger.info("Removing stale Litestream state {}", dir);
		try (Stream<Path> tree = Files.walk(dir)) {
			for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

	private static void forceDirectory(Path dir) {
		try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException ex) {
			// Some platforms cannot open directories; the rename itself is still atomic.
			logger.debug("Could not force directory {} to disk: {}", dir, ex.getMessage());
		}
	}

	private static Path sibling(Path file, String suffix) {
		return file.resolveSibling(file.getFileName() + suffix);
	}

	private static long millis(long nanos) {
		return nanos / 1_000_000;
	}

	private record Stats(long walBytes, long fetchNanos, long applyNanos, long waitNanos) {
	}

}
