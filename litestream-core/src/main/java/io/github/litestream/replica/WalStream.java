package io.github.litestream.replica;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.github.litestream.db.ReplicationSource;
import io.github.litestream.db.ShadowWalMissingException;
import io.github.litestream.db.ShadowWalSegment;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a replica's WAL stream stands, and the shipping of it: the position shipped to, where
 * the newest segment of that index starts, and the first index past a gap in the replica's
 * WAL that no stored snapshot covers yet. Used by the replica's thread only.
 */
final class WalStream {

	private static final Logger logger = LoggerFactory.getLogger(WalStream.class);

	private final ReplicationSource database;

	private final ReplicaClient client;

	private final String replica;

	private final List<ReplicaListener> listeners;

	/** Runs after each segment is stored. */
	private final Runnable shipped;

	private volatile @Nullable Pos position;

	private @Nullable Pos newestSegment;

	private long unrestorableFrom = -1;

	/**
	 * The lowest index a WAL segment of the position's generation may have in the replica, as
	 * far as its last listing and this stream's own writes show; -1 when unknown, and
	 * {@link Long#MAX_VALUE} when it holds none. Retention needs no listing of the WAL to find
	 * segments below an index at or under it.
	 */
	private long walFloor = -1;

	/** A generation the replica holds nothing of (see {@link #meetsNew}), until a position is set. */
	private @Nullable String empty;

	/** The index whose growth past 4 GiB was logged. */
	private long warnedGrownIndex = -1;

	WalStream(ReplicationSource database, ReplicaClient client, String replica, List<ReplicaListener> listeners,
			Runnable shipped) {
		this.database = database;
		this.client = client;
		this.replica = replica;
		this.listeners = listeners;
		this.shipped = shipped;
	}

	/** Where the stream has shipped to, or {@code null} when unknown. */
	@Nullable Pos position() {
		return this.position;
	}

	/**
	 * The first index past a gap that no stored snapshot covers yet (a catch-up snapshot
	 * restarted the stream at its index), or -1: positions are not restorable until a snapshot
	 * at or past it is stored.
	 */
	long unrestorableFrom() {
		return this.unrestorableFrom;
	}

	/**
	 * The lowest index a WAL segment of the position's generation may have in the replica.
	 * @return the index; -1 when unknown, {@link Long#MAX_VALUE} when the replica holds none
	 */
	long walFloor() {
		return this.walFloor;
	}

	/** Retention deleted every WAL segment below {@code index} of the position's generation. */
	void walDeletedBelow(long index) {
		this.walFloor = Math.max(this.walFloor, index);
	}

	/** Forgets the position: the next step finds it on the replica again. */
	void forget() {
		this.position = null;
		this.newestSegment = null;
		this.unrestorableFrom = -1;
		this.walFloor = -1;
		this.empty = null;
	}

	/**
	 * Whether the replica holds nothing of a generation, so that beginning it needs no listing
	 * (see {@link ReplicationSource#claimNewGeneration}). Only the first time: once met, a write
	 * may have landed whatever its answer said, so meeting it again (after a failure made the
	 * stream forget) lists. Call on a forgotten stream; the answer holds until a position is set.
	 * @param generation the database's generation
	 * @return {@code true} if the replica holds nothing of it
	 */
	boolean meetsNew(String generation) {
		boolean isNew = this.database.claimNewGeneration(generation, this.client.location());
		this.empty = isNew ? generation : null;
		return isNew;
	}

	/** Whether {@link #meetsNew} found that the replica holds nothing of the generation. */
	boolean holdsNothingOf(String generation) {
		return generation.equals(this.empty);
	}

	/** Continues after what the replica stores. */
	void resumeAt(ReplicaPositions.Stored stored) {
		startAt(stored.end());
		this.newestSegment = (stored.last() != null) ? stored.last().start() : null;
		this.unrestorableFrom = stored.unrestorableFrom();
		this.walFloor = stored.walFloor();
	}

	/**
	 * Continues after the replica's newest segment of the generation, or at the start of an
	 * index if it has none.
	 */
	void continueAfter(Optional<ReplicaPositions.LastSegment> last, Pos indexStart) {
		startAt(last.map(ReplicaPositions.LastSegment::end).orElse(indexStart));
		this.newestSegment = last.map(ReplicaPositions.LastSegment::start).orElse(null);
		// Only the newest segment was looked at: older ones may lie anywhere below it.
		this.walFloor = last.isPresent() ? -1 : Long.MAX_VALUE;
	}

	private void startAt(Pos position) {
		// Whichever path began it (a sync, an operator's snapshot, a catch-up), the replica may
		// write to this generation from now on: no later meeting may take it for empty.
		this.database.claimNewGeneration(position.generation(), this.client.location());
		this.position = position;
		this.empty = null;
	}

	/** Restarts the stream at an index's start, past a gap that its snapshot will cover. */
	void restartAt(Pos indexStart) {
		if (this.position == null || !this.position.generation().equals(indexStart.generation())) {
			this.walFloor = -1;
		}
		startAt(indexStart);
		this.newestSegment = null;
		this.unrestorableFrom = indexStart.index();
	}

	/**
	 * Ships up to {@code target} in one segment per WAL index. Frames the monitor copies
	 * meanwhile go into the last segment when they fall in its index, and otherwise wait for
	 * the next sync: chasing them here would cost a PUT per monitor step under constant writes
	 * instead of one per sync interval.
	 * @return {@code false} if the local shadow WAL no longer reaches back to the position
	 */
	boolean ship(Pos target) throws IOException {
		while (this.position.compareTo(target) < 0) {
			Optional<ShadowWalSegment> pending;
			try {
				pending = this.database.pendingWal(this.position);
				if (pending.isPresent() && pending.get().start().offset() > Pos.MAX_INDEX) {
					pending = this.database.pendingWal(grownSegmentStart());
				}
			}
			catch (ShadowWalMissingException ex) {
				logger.warn("Replica '{}' of {} is missing local WAL ({}); taking a new snapshot", this.replica,
						this.database.path(), ex.getMessage());
				return false;
			}
			if (pending.isEmpty()) {
				return true;
			}
			ShadowWalSegment segment = pending.get();
			long started = System.nanoTime();
			if (this.walFloor >= 0) {
				// Before the write: a failed one may have landed all the same.
				this.walFloor = Math.min(this.walFloor, segment.start().index());
			}
			try (InputStream wal = segment.open(); InputStream lz4 = Lz4.compressing(wal)) {
				this.client.writeWalSegment(segment.start(), lz4);
			}
			this.position = segment.end();
			this.newestSegment = segment.start();
			this.shipped.run();
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			this.listeners.forEach((listener) -> listener.onWalSegment(segment.start(), segment.length(), took));
		}
		return true;
	}

	/**
	 * Where to ship from once this index's WAL is past 4 GiB (a transaction that large, a
	 * {@code VACUUM} of a large database, or a reader that kept the WAL from restarting): no
	 * segment name holds a larger offset, so the index's newest segment is rewritten with the
	 * same bytes and what followed them, until a checkpoint starts a new index. Litestream
	 * names such a segment with more digits, which its own restore then skips.
	 */
	private Pos grownSegmentStart() throws IOException {
		Pos at = this.position;
		Pos start = this.newestSegment;
		if (start == null || start.index() != at.index() || !start.generation().equals(at.generation())) {
			throw new IOException("Replica '" + this.replica + "' of " + this.database.path() + " is at " + at
					+ ", past the 4 GiB that segment names hold, and does not know where its newest segment starts");
		}
		if (this.warnedGrownIndex != start.index()) {
			this.warnedGrownIndex = start.index();
			logger.warn("WAL index {} of {} is past 4 GiB, the largest offset Litestream's segment names hold: "
					+ "replica '{}' rewrites its newest segment {} at every sync until a checkpoint starts a new "
					+ "index (a long read transaction may be keeping the WAL from restarting)", Pos.hex(start.index()),
					this.database.path(), this.replica, start);
		}
		return start;
	}

}
