package io.github.litestream.restore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import io.github.litestream.db.FollowerCopyMark;
import io.github.litestream.db.GenerationContinuation;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.sqlite.WalChecksum;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ReplicaFollower}'s copy of the replica: the database file and the {@link FollowedWal}
 * of the index being applied, and whether the file is still proven one state of the replica.
 * Pages are written, and the file replaced, under the apply lock, which {@link #read} takes too:
 * between two applications the file is one committed state. Once an application may have left
 * the file part way, the copy says it is to be restored again, and is not handed over until it
 * was. From before the file first appears until it is handed over, a {@link FollowerCopyMark}
 * beside it says it may be torn, should the follower stop part way.
 *
 * <p>Used by the follower's thread, and by {@link #handOver()} once that thread ended;
 * {@link #read} from any thread.
 */
final class FollowedCopy {

	private final ReplicaClient client;

	private final Path database;

	/** Held while pages are written or the file is replaced; {@link #read} takes it too. */
	private final ReentrantLock applyLock = new ReentrantLock();

	private @Nullable FollowedWal wal;

	/** Why the database must be restored again before anything else is applied, or {@code null}. */
	private @Nullable String restoreReason = "no database yet";

	/** Whether the segment being applied got as far as writing pages. */
	private boolean writingPages;

	/**
	 * The state the file holds, for {@link #read}: set under the apply lock as pages land, so a
	 * reader never pairs the file with the position of the state before it.
	 */
	private @Nullable Pos filePosition;

	/** Whether the file's {@link FollowerCopyMark} is written: from before its first install. */
	private boolean marked;

	/**
	 * Creates the copy of a follower that has not restored anything yet.
	 * @param client the replica followed
	 * @param database the follower's database file, absolute
	 */
	FollowedCopy(ReplicaClient client, Path database) {
		this.client = client;
		this.database = database;
	}

	/**
	 * Why the file must be restored again before anything else is applied.
	 * @return the reason, or {@code null} while the file is one state of the replica
	 */
	@Nullable String restoreReason() {
		return this.restoreReason;
	}

	/**
	 * Marks the file as no longer continued by the replica's WAL.
	 * @param reason why, for the log and the hand-over's error
	 */
	void restoreAgain(String reason) {
		this.restoreReason = reason;
	}

	/**
	 * The WAL of the index being applied.
	 * @return the WAL, or {@code null} before the first restore and after the hand-over
	 */
	@Nullable FollowedWal wal() {
		return this.wal;
	}

	/**
	 * Puts a full restore in place of the database and follows on from its WAL; the file is then
	 * one state of the replica again.
	 * @param latest the restored state
	 * @return the position the file is at
	 * @throws IOException if the file cannot be replaced or the previous WAL deleted
	 */
	Pos install(LatestState latest) throws IOException {
		FollowedWal restored = latest.wal();
		if (!this.marked) {
			FollowerCopyMark.mark(this.database, this.client.location());
			this.marked = true;
		}
		this.applyLock.lock();
		try {
			latest.install(this.database);
			this.filePosition = restored.position();
		}
		finally {
			this.applyLock.unlock();
		}
		if (this.wal != null && !this.wal.file().equals(restored.file())) {
			Files.deleteIfExists(this.wal.file());
		}
		this.wal = restored;
		this.restoreReason = null;
		return restored.position();
	}

	/**
	 * Moves on to the WAL of the next index, which {@code segment} begins.
	 * @param segment the first segment of the index
	 * @throws IOException if the WAL files cannot be deleted or created
	 */
	void startIndex(WalSegmentInfo segment) throws IOException {
		String generation = this.wal.position().generation();
		Files.deleteIfExists(this.wal.file());
		this.wal = FollowedWal.start(LatestState.workFile(this.database, segment.index()), generation,
				segment.index());
	}

	/**
	 * Fetches the next segment of the WAL and applies it to the file.
	 * @param segment the segment, next in the WAL
	 * @throws IOException if it cannot be fetched or applied; if pages may have been written,
	 * the file is to be restored again
	 */
	void apply(WalSegmentInfo segment) throws IOException {
		this.writingPages = false;
		boolean grown = this.wal.grown(segment);
		try {
			this.wal.fetchAndApply(this.client, segment, this::applyLocked);
		}
		catch (IOException | RuntimeException ex) {
			if (this.writingPages || (grown && ex instanceof RestoreException)) {
				// Transactions before the damage may be in the file already, or a rewritten segment
				// does not continue what was applied: only a restore is sure. (A download that
				// failed wrote nothing: the next poll fetches the segment again.)
				this.restoreReason = "applying WAL segment " + segment.pos() + " failed: " + ex.getMessage();
			}
			throw ex;
		}
	}

	private WalScanner.WalScan applyLocked(FileChannel wal, WalHeader header, long from, WalChecksum previous,
			long index) throws IOException {
		this.writingPages = true;
		this.applyLock.lock();
		try (WalApplier applier = new WalApplier(this.database, this.client.location(),
				this.wal.position().generation(), index)) {
			applier.readHeader(wal, index);
			WalScanner.WalScan scan = applier.applyFrom(wal, header, from, previous, index);
			// The valid transactions reached the file, even those before a damaged frame.
			this.filePosition = new Pos(this.wal.position().generation(), index, scan.end());
			return scan;
		}
		finally {
			this.applyLock.unlock();
		}
	}

	/**
	 * Runs code while no segment is being applied.
	 * @param <T> what the code returns
	 * @param reader the code, given the file and the state it holds ({@code null} before the
	 * first restore)
	 * @return what the code returned
	 * @throws IOException if the code fails
	 */
	<T> T read(ReplicaFollower.DatabaseReader<T> reader) throws IOException {
		this.applyLock.lock();
		try {
			return reader.read(this.database, this.filePosition);
		}
		finally {
			this.applyLock.unlock();
		}
	}

	/**
	 * Leaves the state that lets the engine continue the generation after the copy's position
	 * (see {@link GenerationContinuation}). Call it once the follower's thread ended.
	 * @return the position recorded, or empty if the file holds no state to continue (no backup
	 * restored, only a snapshot, or the continuation could not be recorded)
	 * @throws IOException if the file is to be restored again, or the state cannot be written
	 */
	Optional<Pos> handOver() throws IOException {
		if (this.restoreReason != null && Files.exists(this.database)) {
			// The file was built from the replica, but no longer proven one state of it (an
			// apply that failed part way, a rewritten segment that does not continue it): not a
			// new database to migrate and start a generation from.
			throw new IOException("The follower's copy " + this.database + " of " + this.client.location()
					+ " is not handed over: it is to be restored again (" + this.restoreReason + ")");
		}
		Optional<Pos> continued = recordContinuation();
		// One state of the replica, on disk: no longer a copy that may be torn.
		FollowerCopyMark.clear(this.database);
		return continued;
	}

	private Optional<Pos> recordContinuation() throws IOException {
		if (this.wal == null || this.restoreReason != null || this.wal.size() < WalHeader.SIZE) {
			return Optional.empty();
		}
		Pos position = this.wal.position();
		try (FileChannel file = FileChannel.open(this.database, StandardOpenOption.WRITE)) {
			file.force(true);
		}
		boolean recorded = GenerationContinuation.record(this.database, position, this.wal.file());
		this.wal = null;
		return recorded ? Optional.of(position) : Optional.empty();
	}

}
