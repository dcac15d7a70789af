package io.github.litestream.replica;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.github.litestream.db.ReplicationSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link Replica}'s snapshots meet its WAL stream: a snapshot of the current index ships
 * the WAL up to its position first, and a catch-up snapshot at a new index is stored before
 * any WAL past the replica's old end. Either way no stored snapshot lacks WAL a restore needs
 * under it. Used from the replica's thread only.
 */
final class ReplicaSnapshots {

	/** The replica's own category: operators filter on it. */
	private static final Logger logger = LoggerFactory.getLogger(Replica.class);

	private static final Duration CATCH_UP_MAX_WAIT = Duration.ofMinutes(1);

	private final ReplicationSource database;

	private final ReplicaClient client;

	private final String name;

	private final WalStream stream;

	private final SnapshotCatalog catalog;

	private final List<ReplicaListener> listeners;

	private final Clock clock;

	/** Recomputes what the replica publishes as restorable, once a snapshot is stored. */
	private final Runnable published;

	/** When a failed catch-up snapshot may be tried again. */
	private final RetryBackoff catchUps;

	/** The database position when the last snapshot was taken by this process. */
	private volatile @Nullable Pos lastPosition;

	ReplicaSnapshots(ReplicationSource database, ReplicaClient client, ReplicaOptions options, WalStream stream,
			SnapshotCatalog catalog, List<ReplicaListener> listeners, Clock clock, Runnable published) {
		this.database = database;
		this.client = client;
		this.name = options.name();
		this.stream = stream;
		this.catalog = catalog;
		this.listeners = listeners;
		this.clock = clock;
		this.published = published;
		this.catchUps = new RetryBackoff(options.syncInterval(), CATCH_UP_MAX_WAIT);
	}

	/**
	 * The database position when this process last took a snapshot.
	 * @return the position, or {@code null} before the first
	 */
	@Nullable Pos lastPosition() {
		return this.lastPosition;
	}

	/**
	 * Writes a snapshot of the database now.
	 * @return the stored snapshot
	 * @throws IOException if it cannot be written
	 */
	SnapshotInfo take() throws IOException {
		long started = System.nanoTime();
		Pos[] taken = new Pos[1];
		SnapshotInfo info = this.database.snapshot((pos, database) -> {
			taken[0] = pos;
			shipWalUpTo(pos);
			return writeSnapshot(pos, database);
		});
		// Only once stored: an idle database whose snapshot failed must try again.
		this.lastPosition = taken[0];
		stored(info, started);
		return info;
	}

	/**
	 * Begins a snapshot whose upload runs on {@code uploader} (see {@link SnapshotUpload}). The
	 * uploading thread takes the checkpoint lock and learns the position; this thread ships the
	 * WAL up to it meanwhile (as {@link #take()} does, under the same lock, so the file cannot
	 * change), and only then may the upload read the file. Returns at once after that: the
	 * caller applies the outcome with {@link #finish(SnapshotUpload)} once it is stored.
	 * @param uploader where the upload runs
	 * @param periodic whether it is a periodic snapshot (its failures back off)
	 * @return the upload, or {@code null} when another snapshot of the database is reading it or
	 * every snapshot thread is busy
	 * @throws IOException if the WAL cannot be shipped up to the snapshot or the file not read
	 */
	@Nullable SnapshotUpload begin(Executor uploader, boolean periodic) throws IOException {
		SnapshotUpload upload = new SnapshotUpload(this.database.path() + " to replica '" + this.name + "'",
				periodic);
		try {
			uploader.execute(() -> upload(upload));
		}
		catch (RejectedExecutionException ex) {
			// Every snapshot thread is busy (or the engine stops): this one's turn comes later.
			return null;
		}
		Pos pos;
		try {
			pos = SnapshotUpload.await(upload.position);
			if (pos != null) {
				shipWalUpTo(pos);
			}
			upload.walShipped.complete(null);
		}
		catch (IOException | RuntimeException | Error ex) {
			upload.walShipped.completeExceptionally(ex);
			// The upload gives up at once; it holds the file until then.
			upload.awaitStored(Long.MAX_VALUE);
			throw ex;
		}
		if (pos == null) {
			upload.awaitStored(Long.MAX_VALUE);
			return null;
		}
		return upload;
	}

	/** Runs on the uploading thread: touches nothing of the replica but the client. */
	private void upload(SnapshotUpload upload) {
		try {
			Optional<SnapshotInfo> info = this.database.snapshotUnlessBusy((pos, file) -> {
				upload.position.complete(pos);
				SnapshotUpload.await(upload.walShipped);
				return writeSnapshot(pos, upload.cancellable(file));
			});
			upload.position.complete(null);
			upload.stored(info.orElse(null));
		}
		catch (Throwable ex) {
			upload.failed(ex);
		}
	}

	/**
	 * Applies an upload's outcome, on the replica's thread: the snapshot counts as stored from
	 * now on.
	 * @param upload an upload whose {@link SnapshotUpload#stored()} is done
	 * @return the snapshot
	 * @throws IOException why it was not stored
	 */
	SnapshotInfo finish(SnapshotUpload upload) throws IOException {
		SnapshotInfo info = SnapshotUpload.await(upload.storedFuture());
		Pos pos = SnapshotUpload.await(upload.position);
		Pos last = this.lastPosition;
		// A snapshot taken on the replica's thread meanwhile (a catch-up, a new generation's
		// first) is the later one.
		if (last == null || (last.generation().equals(pos.generation()) && last.compareTo(pos) < 0)) {
			this.lastPosition = pos;
		}
		stored(info, upload.startedNanos());
		return info;
	}

	/**
	 * Restarts a replica whose position the local shadow WAL no longer reaches, from a snapshot
	 * at the start of a new WAL index, stored before any WAL past the replica's old end. A
	 * restore meanwhile (this upload may take minutes, or the host may die during it) gets the
	 * replica's old end; then the snapshot, and the WAL shipped after it. The WAL between the old
	 * end and the snapshot is not shipped: its points in time are lost with the outage. When no
	 * new index can be started now, the snapshot restarts the stream at the current index.
	 */
	void catchUp() throws IOException {
		if (!this.catchUps.ready(this.clock.instant())) {
			// Each attempt starts a WAL index (a moment of the write lock, a bookkeeping row):
			// not at every sync while the store keeps refusing the upload.
			throw new IOException("Replica '" + this.name + "' of " + this.database.path()
					+ " waits to retry its catch-up snapshot: " + this.catchUps.waiting());
		}
		Pos stored = this.stream.position();
		long started = System.nanoTime();
		boolean[] began = new boolean[1];
		SnapshotInfo info;
		try {
			info = this.database.snapshotAtNewIndex((pos, database) -> {
				began[0] = true;
				if (pos.generation().equals(stored.generation()) && pos.index() == stored.index() + 1) {
					// Without a missing index between the old end and the new one, nothing shows
					// the cut (see shipWalUpTo); this index started after the WAL we lack.
					String reason = "replica '" + this.name + "' lacks the local WAL after its position " + stored;
					this.database.requestNewGeneration(reason);
					throw new IOException(reason + "; a new generation starts");
				}
				this.lastPosition = pos;
				this.stream.restartAt(pos);
				return writeSnapshot(pos, database);
			});
		}
		catch (IOException | RuntimeException ex) {
			if (began[0]) {
				this.catchUps.failed(this.clock.instant(), ex.getMessage());
				throw ex;
			}
			if (ex instanceof RuntimeException runtime) {
				throw runtime;
			}
			logger.debug("Replica '{}' of {} takes its catch-up snapshot at the current index: {}", this.name,
					this.database.path(), ex.getMessage());
			take();
			return;
		}
		this.catchUps.succeeded();
		stored(info, started);
	}

	/**
	 * Ships this replica's WAL up to a snapshot's position before the snapshot is stored. The
	 * snapshot's key names only its index, and restoring replays that index from offset 0; but
	 * the database file may already hold pages of frames up to the position (a time-based
	 * checkpoint moves pages into the file without starting an index). A replica that held the
	 * snapshot without those frames would restore a file mixing two moments. Called while the
	 * snapshot holds the checkpoint lock, so the file cannot change meanwhile; the planner
	 * relies on it: a snapshot's restore includes every segment of its index stored before it.
	 */
	private void shipWalUpTo(Pos snapshot) throws IOException {
		Pos shipped = this.stream.position();
		if (shipped == null || !shipped.generation().equals(snapshot.generation())) {
			// A new generation, or a position lost to an error: continue after what is stored.
			if (shipped != null) {
				this.catalog.refresh(this.client, snapshot.generation());
			}
			Optional<ReplicaPositions.LastSegment> last = this.stream.holdsNothingOf(snapshot.generation())
					? Optional.empty() : ReplicaPositions.newest(this.client, snapshot.generation());
			this.stream.continueAfter(last, new Pos(snapshot.generation(), snapshot.index(), 0));
		}
		if (!this.stream.ship(snapshot)) {
			Pos stored = this.stream.position();
			if (snapshot.index() == stored.index() + 1) {
				// The replica's last index may have gone on past what it stored. Restarting the
				// stream at the very next index would join the two with nothing to show the cut:
				// a restore or a follower that ran before the snapshot landed would mix two
				// moments. A new generation keeps every stored generation one valid history.
				String reason = "replica '" + this.name + "' lacks the local WAL after its position " + stored
						+ ", the index before the current one";
				this.database.requestNewGeneration(reason);
				throw new IOException(reason + "; a new generation starts");
			}
			// Whole indexes are missing between the replica's end and the snapshot: a latest
			// restore before the snapshot lands finds the gap and fails naming it (with
			// restore.fall-back, it restores the replica's old end) instead of mixing. The
			// snapshot restarts the stream at its own index; nothing past the gap counts as
			// restorable until the snapshot is stored. (A new generation would close that window
			// at the cost of a full snapshot in every replica, the restored one included.)
			this.stream.restartAt(new Pos(snapshot.generation(), snapshot.index(), 0));
			if (!this.stream.ship(snapshot)) {
				throw new IOException("Cannot store a snapshot of " + this.database.path() + " in replica '" + this.name
						+ "': the local WAL of its index " + Pos.hex(snapshot.index()) + " is missing");
			}
		}
	}

	private SnapshotInfo writeSnapshot(Pos pos, InputStream database) throws IOException {
		try (InputStream lz4 = Lz4.compressing(database)) {
			return this.client.writeSnapshot(pos.generation(), pos.index(), lz4);
		}
	}

	private void stored(SnapshotInfo info, long started) {
		this.catalog.add(info);
		this.published.run();
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		logger.info("Replica '{}' of {} stored snapshot {}/{} ({} bytes) in {} ms", this.name, this.database.path(),
				info.generation(), Pos.hex(info.index()), info.size(), took.toMillis());
		this.listeners.forEach((listener) -> listener.onSnapshot(info, took));
	}

}
