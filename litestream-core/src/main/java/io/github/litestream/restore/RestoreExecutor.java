package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.sqlite.WalHeader;

/**
 * Carries out one {@link RestorePlan}.
 *
 * <p>Everything happens in hidden temporary files next to the output (same directory, so the
 * final rename is atomic): the snapshot is streamed through the LZ4 decoder into a temporary
 * database while WAL segments are fetched ahead in parallel by a {@link WalIndexFetcher}; the
 * WAL indexes are applied strictly in order by a {@link WalApplier}, the result must pass
 * {@code PRAGMA integrity_check} ({@link IntegrityCheck}), and only then is it forced to disk and renamed into place,
 * after stale {@code -wal}, {@code -shm} and {@code .<name>-litestream} leftovers of an
 * earlier database are removed. Whatever fails, the temporary files are removed and the output
 * path is never written. The database is forced to disk in the background as it is written
 * ({@link BackgroundFsync}). Memory use does not depend on the database size: everything streams.
 */
final class RestoreExecutor {

	private static final Logger logger = LoggerFactory.getLogger(RestoreExecutor.class);

	private static final long PROGRESS_INTERVAL_NANOS = 10_000_000_000L;

	private final ReplicaClient client;

	private final RestorePlan plan;

	private final Path output;

	/** Download workers besides the restoring thread. */
	private final int workers;

	private final Path temporaryDatabase;

	private final Queue<Path> temporaryFiles = new ConcurrentLinkedQueue<>();

	private final RestoredFile file;

	/** Where the last index's WAL goes once the database is in place, or {@code null} to remove it. */
	private final Path keepLastWal;

	private Path lastWal;

	/** When progress was last logged. */
	private long lastProgress = System.nanoTime();

	/**
	 * Creates an executor.
	 * @param client the replica
	 * @param plan what to restore
	 * @param output the database file to create
	 * @param parallelism how many segments to fetch at once
	 * @param keepLastWal where to move the WAL of the plan's last index (the replica's bytes of
	 * it, from offset 0) once the database is in place, or {@code null} to remove it; nothing
	 * is moved when the plan applies no WAL
	 */
	RestoreExecutor(ReplicaClient client, RestorePlan plan, Path output, int parallelism, Path keepLastWal) {
		this.client = client;
		this.plan = plan;
		this.output = output;
		this.keepLastWal = keepLastWal;
		this.workers = workers(client, parallelism);
		String prefix = LeftoverRestoreFiles.prefix(output) + UUID.randomUUID();
		this.temporaryDatabase = output.resolveSibling(prefix + ".db");
		for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
			this.temporaryFiles.add(sibling(this.temporaryDatabase, suffix));
		}
		this.file = new RestoredFile(output, this.temporaryDatabase, this.temporaryFiles);
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
			this.file.create();
			Stats stats;
			try (BackgroundFsync fsync = new BackgroundFsync(this.temporaryDatabase)) {
				try (WalIndexFetcher fetcher = new WalIndexFetcher(this.client, this.plan.walIndexes(), this.workers,
						this::walFile)) {
					// WAL downloads run while the snapshot is decompressed: the two are independent.
					fetcher.start();
					long snapshotBytes = restoreSnapshot();
					long snapshotNanos = System.nanoTime() - start;
					// The snapshot's pages go to disk while the WAL is applied. (Forcing again after
					// every index slowed the applier down more than it saved at the end.)
					fsync.start();
					stats = applyWal(fetcher).withSnapshot(snapshotBytes, snapshotNanos);
				}
				stats = checkAndForce(fsync, stats);
			}
			this.file.install();
			keepLastWal();
			long elapsed = System.nanoTime() - start;
			long bytes = stats.snapshotBytes() + stats.walBytes();
			logger.info("Restored {} to generation={} index={}: snapshot {} ({} bytes) + {} WAL indexes ({} segments, "
					+ "{} bytes) in {} ms ({} MB/s); snapshot {} ms, then applying WAL {} ms (of which waiting for "
					+ "downloads {} ms; downloads took {} ms over {} workers), then integrity check {} ms and the last "
					+ "fsync {} ms at once", this.output, this.plan.generation(), Pos.hex(this.plan.targetIndex()),
					Pos.hex(this.plan.snapshot().index()), stats.snapshotBytes(), this.plan.walIndexes().size(),
					this.plan.segmentCount(), stats.walBytes(), millis(elapsed),
					String.format("%.1f", bytes / 1e6 / Math.max(elapsed / 1e9, 1e-9)), millis(stats.snapshotNanos()),
					millis(stats.applyNanos()), millis(stats.waitNanos()), millis(stats.fetchNanos()), this.workers,
					millis(stats.checkNanos()), millis(stats.fsyncNanos()));
			return stats.walBytes();
		}
		catch (NoSuchFileException ex) {
			throw this.temporaryDatabase.toString().equals(ex.getFile()) ? this.file.removedWhileRestoring() : ex;
		}
		finally {
			removeTemporaryFiles();
		}
	}

	/**
	 * Runs the integrity check while the last fsync runs: both have to finish before the
	 * rename, and neither needs the other.
	 */
	private Stats checkAndForce(BackgroundFsync fsync, Stats stats) throws IOException {
		long start = System.nanoTime();
		fsync.startFinal();
		this.file.requireOwn();
		IntegrityCheck.verify(this.temporaryDatabase, this.plan);
		long checkNanos = System.nanoTime() - start;
		return stats.withCheck(checkNanos, fsync.awaitFinal());
	}

	/**
	 * The requested parallelism, except that a local replica gets no more workers than there
	 * are processors besides the restoring thread's (there, more would only take turns with the
	 * snapshot's decompression, which everything else waits for), and no restore more than the
	 * heap affords.
	 */
	private static int workers(ReplicaClient client, int parallelism) {
		int workers = client.readsLocally()
				? Math.min(parallelism, Math.max(1, Runtime.getRuntime().availableProcessors() - 1)) : parallelism;
		long maxHeap = Runtime.getRuntime().maxMemory();
		int affordable = FetchLimits.workersForHeap(maxHeap);
		if (workers > affordable) {
			logger.info("Restoring with {} download workers instead of the parallelism of {}: a heap of {} MiB "
					+ "affords {} (each may hold up to {} MiB); raise -Xmx for more", affordable, parallelism,
					maxHeap / (1024 * 1024), affordable, FetchLimits.WORKER_BYTES / (1024 * 1024));
			return affordable;
		}
		return workers;
	}

	private long restoreSnapshot() throws IOException {
		String key = this.plan.snapshotKey();
		try (FileChannel channel = FileChannel.open(this.temporaryDatabase, StandardOpenOption.WRITE)) {
			long bytes;
			try (InputStream compressed = ObjectDownload.open(() -> this.client.openSnapshot(this.plan.generation(),
					this.plan.snapshot().index())); InputStream in = Lz4.decompress(compressed)) {
				bytes = StreamToFile.copy(in, channel, 0);
			}
			catch (InterruptedIOException | LocalFileException ex) {
				throw ex;
			}
			catch (IOException | RuntimeException ex) {
				if (ObjectDownload.failedToDownload(ex)) {
					throw new RestoreException("Cannot download snapshot " + key + " from " + this.client.location()
							+ ": " + ex.getMessage() + "; the replica did not answer, restore again once it does", ex);
				}
				if (RestoreException.noIdentityCause(ex).isPresent()) {
					throw RestoreException.noIdentity("snapshot " + key + " in " + this.client.location(),
						RestoreException.noIdentityCause(ex).get());
				}
				throw new RestoreException("Cannot read snapshot " + key + " in " + this.client.location() + ": "
						+ ex.getMessage() + "; the object is missing, truncated or corrupt. Restore from an earlier "
						+ "snapshot with an index below " + Pos.hex(this.plan.snapshot().index())
						+ ", or from another replica",
						DamagedObject.snapshot(this.plan.generation(), this.plan.snapshot().index()), ex);
			}
			logger.debug("Snapshot {} decompressed: {} bytes", key, bytes);
			return bytes;
		}
	}

	private Stats applyWal(WalIndexFetcher fetcher) throws IOException {
		List<RestorePlan.WalIndex> indexes = this.plan.walIndexes();
		long start = System.nanoTime();
		long waitNanos = 0;
		try (WalApplier applier = new WalApplier(this.temporaryDatabase, this.client.location(),
				this.plan.generation(), this.plan.snapshot().index()); WalCheckAhead checks = new WalCheckAhead()) {
			// Each index is checked on another thread while the one before is written.
			for (int i = 0; i < indexes.size(); i++) {
				long waitStart = System.nanoTime();
				FetchedWal wal;
				try {
					wal = fetcher.await(i);
				}
				catch (InterruptedIOException ex) {
					throw ex;
				}
				catch (IOException ex) {
					// The index before, still being checked, comes first: damage there is what a
					// fall back must avoid, not this index.
					write(applier, checks.last(), fetcher);
					throw ex;
				}
				waitNanos += System.nanoTime() - waitStart;
				WalHeader header = null;
				IOException headerError = null;
				try {
					header = applier.readHeader(wal, indexes.get(i).index());
				}
				catch (IOException ex) {
					headerError = ex;
				}
				catch (RuntimeException ex) {
					wal.close();
					throw ex;
				}
				write(applier, checks.next(wal, i, header, headerError), fetcher);
			}
			write(applier, checks.last(), fetcher);
		}
		return new Stats(0, 0, fetcher.walBytes(), fetcher.fetchNanos(), System.nanoTime() - start, waitNanos, 0, 0);
	}

	/** Writes a checked index's pages, keeps the last index's WAL if asked to, and closes it. */
	private void write(WalApplier applier, WalCheckAhead.@Nullable Checked checked, WalIndexFetcher fetcher)
			throws IOException {
		if (checked == null) {
			return;
		}
		List<RestorePlan.WalIndex> indexes = this.plan.walIndexes();
		RestorePlan.WalIndex index = indexes.get(checked.position());
		int frames;
		try (FetchedWal wal = checked.wal()) {
			frames = applier.applyChecked(wal, index, checked.result());
			if (checked.position() == indexes.size() - 1 && this.keepLastWal != null) {
				this.lastWal = sibling(this.temporaryDatabase, ".last.wal");
				this.temporaryFiles.add(this.lastWal);
				wal.writeTo(this.lastWal);
			}
		}
		logger.debug("Applied WAL index {} ({} segments, {} frames)", Pos.hex(index.index()), index.segments().size(),
				frames);
		if (System.nanoTime() - this.lastProgress > PROGRESS_INTERVAL_NANOS) {
			this.lastProgress = System.nanoTime();
			logger.info("Restoring {}: applied {} of {} WAL indexes ({} WAL bytes so far)", this.output,
					checked.position() + 1, indexes.size(), fetcher.walBytes());
		}
	}

	/** Moves the last index's WAL where the caller wants it, once the database is in place. */
	private void keepLastWal() throws IOException {
		if (this.lastWal != null) {
			Files.createDirectories(this.keepLastWal.toAbsolutePath().getParent());
			Files.move(this.lastWal, this.keepLastWal, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	private Path walFile(long index) {
		Path file = sibling(this.temporaryDatabase, "." + Pos.hex(index) + ".wal");
		this.temporaryFiles.add(file);
		return file;
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

	private static Path sibling(Path file, String suffix) {
		return file.resolveSibling(file.getFileName() + suffix);
	}

	private static long millis(long nanos) {
		return nanos / 1_000_000;
	}

	private record Stats(long snapshotBytes, long snapshotNanos, long walBytes, long fetchNanos, long applyNanos,
			long waitNanos, long checkNanos, long fsyncNanos) {

		Stats withSnapshot(long bytes, long nanos) {
			return new Stats(bytes, nanos, this.walBytes, this.fetchNanos, this.applyNanos, this.waitNanos,
					this.checkNanos, this.fsyncNanos);
		}

		Stats withCheck(long checkNanos, long fsyncNanos) {
			return new Stats(this.snapshotBytes, this.snapshotNanos, this.walBytes, this.fetchNanos, this.applyNanos,
					this.waitNanos, checkNanos, fsyncNanos);
		}

	}

}
