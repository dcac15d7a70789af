package io.github.litestream.restore;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaLayout;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.sqlite.DatabaseHeader;
import io.github.litestream.sqlite.InvalidWalException;
import io.github.litestream.sqlite.WalBytes;
import io.github.litestream.sqlite.WalChecksum;
import io.github.litestream.sqlite.WalFrameHeader;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;

/**
 * Applies WAL indexes to the database being restored, one after another, the way a SQLite
 * checkpoint would: each WAL is validated (header, salts, checksum chain) and must end on its
 * last valid commit frame (anything after it is damage, not an incomplete transaction: every
 * segment ends on a commit), so only whole transactions are applied; then every frame's page is
 * written at its place in the database file and the file is cut to the size the last commit
 * gives.
 *
 * <p>Doing this directly rather than through {@code PRAGMA wal_checkpoint} saves SQLite's
 * second checksum pass, its wal-index and two fsyncs per index; the database is forced to
 * disk once, when the restore is installed, and {@code PRAGMA integrity_check} still has the
 * last word on what was written.
 */
final class WalApplier implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(WalApplier.class);

	private static final int RUN_BYTES = 1024 * 1024;

	private final FileChannel database;

	/** The database's page size; 0 while the database is empty (an empty snapshot). */
	private int pageSize;

	private final String replicaLocation;

	/** Contiguous pages on their way to the database file, at most {@value #RUN_BYTES} bytes. */
	private @Nullable ByteBuffer run;

	/** The page number of the first page in {@link #run}. */
	private int runStart;

	private final String generation;

	/**
	 * Opens the database being restored (not the final output) for applying WAL.
	 * @param database the database, as restored from the snapshot
	 * @param replicaLocation the replica, for messages
	 * @param generation the generation, for messages
	 * @param snapshotIndex the index of the snapshot the database came from, for messages
	 * @throws IOException if the database cannot be opened or has no valid header
	 */
	WalApplier(Path database, String replicaLocation, String generation, long snapshotIndex) throws IOException {
		this.replicaLocation = replicaLocation;
		this.generation = generation;
		this.database = FileChannel.open(database, StandardOpenOption.READ, StandardOpenOption.WRITE);
		try {
			this.pageSize = readPageSize(snapshotIndex);
		}
		catch (IOException | RuntimeException ex) {
			this.database.close();
			throw ex;
		}
	}

	/**
	 * Applies an index's WAL as fetched (and leaves it to the caller, who may keep the last one
	 * for the engine to continue the generation).
	 * @param wal the index's WAL, all segments concatenated
	 * @param walIndex the WAL index and its segments, for messages
	 * @return the number of frames applied
	 * @throws IOException if the WAL is invalid or the database cannot be written
	 */
	int apply(FetchedWal wal, RestorePlan.WalIndex walIndex) throws IOException {
		return applyChecked(wal, walIndex, check(wal, readHeader(wal, walIndex.index())));
	}

	/**
	 * Reads and checks an index's WAL header against the database's page size.
	 * @param wal the index's WAL
	 * @param index the WAL index, for messages
	 * @return the header
	 * @throws IOException if it is not a valid WAL header of this database
	 */
	WalHeader readHeader(FileChannel wal, long index) throws IOException {
		return readHeader(WalBytes.of(wal), index);
	}

	/**
	 * Reads and checks the header of an index's WAL as fetched, as
	 * {@link #readHeader(FileChannel, long)} does.
	 * @param wal the index's WAL
	 * @param index the WAL index, for messages
	 * @return the header
	 * @throws IOException if it is not a valid WAL header of this database
	 */
	WalHeader readHeader(FetchedWal wal, long index) throws IOException {
		return readHeader(wal.bytes(), index);
	}

	/**
	 * Checks an index's WAL (salts and checksum chain) without writing anything; safe on any
	 * thread.
	 * @param wal the index's WAL
	 * @param header its header, from {@link #readHeader(FetchedWal, long)}
	 * @return where its committed frames end, and the frames that hold each page's last version
	 * @throws IOException if it cannot be read
	 */
	static CheckedWal check(FetchedWal wal, WalHeader header) throws IOException {
		CheckedWal.Pages pages = new CheckedWal.Pages(header.frameSize());
		WalScanner.WalScan scan = WalScanner.scanVerified(wal.bytes(), header, WalHeader.SIZE, header.checksum(), pages);
		return new CheckedWal(scan, pages.latestBefore(scan.end()));
	}

	/**
	 * Applies an index's WAL that {@link #check} checked: writes the last committed version of
	 * each page, in page order, and cuts the database to the last commit's size, as
	 * {@link #apply} does, without a second checksum pass.
	 * @param wal the index's WAL
	 * @param walIndex the WAL index and its segments, for messages
	 * @param checked what the check found
	 * @return the number of frames applied
	 * @throws IOException if the WAL is damaged or the database cannot be written
	 */
	int applyChecked(FetchedWal wal, RestorePlan.WalIndex walIndex, CheckedWal checked) throws IOException {
		WalScanner.WalScan scan = checked.scan();
		if (scan.end() < wal.size()) {
			throw damagedTail(walIndex, scan.end(), wal.size());
		}
		int frameSize = WalFrameHeader.SIZE + this.pageSize;
		for (long entry : checked.latestFrames()) {
			long frameOffset = CheckedWal.frameOffset(entry, frameSize);
			ByteBuffer run = runFor(CheckedWal.pageNumber(entry), frameOffset, walIndex.index());
			wal.copyTo(run, frameOffset + WalFrameHeader.SIZE, this.pageSize);
		}
		writeRun();
		if (scan.frames() > 0) {
			this.database.truncate((long) scan.databasePages() * this.pageSize);
		}
		return scan.frames();
	}

	private WalHeader readHeader(WalBytes wal, long index) throws IOException {
		WalHeader header;
		try {
			header = WalScanner.readHeader(wal);
		}
		catch (InvalidWalException | EOFException ex) {
			throw invalid(index, ex.getMessage(), "its segment at offset 00000000 is corrupt", ex);
		}
		if (this.pageSize == 0) {
			this.pageSize = header.pageSize();
		}
		if (header.pageSize() != this.pageSize) {
			throw invalid(index, "its page size " + header.pageSize() + " differs from the snapshot's "
					+ this.pageSize, "the snapshot or this index's first segment is corrupt", null);
		}
		return header;
	}

	/**
	 * Applies the whole transactions of an index's WAL from an offset on: a restore applies an
	 * index from its first frame, a follower applies the frames of each new segment, continuing
	 * the checksum chain where the previous segment ended.
	 * @param wal the index's WAL
	 * @param header its header, from {@link #readHeader}
	 * @param from a frame boundary: where the frames not applied yet start
	 * @param previous the cumulative checksum at {@code from}
	 * @param index the WAL index, for messages
	 * @return where the valid frames end, and the checksum there
	 * @throws IOException if the database cannot be written
	 */
	WalScanner.WalScan applyFrom(FileChannel wal, WalHeader header, long from, WalChecksum previous, long index)
			throws IOException {
		return applyFrom(WalBytes.of(wal), header, from, previous, index);
	}

	private WalScanner.WalScan applyFrom(WalBytes wal, WalHeader header, long from, WalChecksum previous, long index)
			throws IOException {
		// One pass: each transaction's pages are written as soon as its commit frame is verified.
		WalScanner.WalScan scan = WalScanner.scan(wal, header, from, previous,
				(frames, offset, length, walOffset) -> writePages(frames, offset, length, walOffset, index));
		if (scan.frames() > 0) {
			this.database.truncate((long) scan.databasePages() * this.pageSize);
		}
		else {
			logger.debug("WAL index {} holds no committed transaction after {}; nothing to apply", Pos.hex(index),
					Pos.hex(from));
		}
		return scan;
	}

	/**
	 * Forces the database's pages to disk.
	 * @throws IOException if it fails
	 */
	void force() throws IOException {
		this.database.force(false);
	}

	/**
	 * Closes the database file (without forcing it to disk: installing the restore does that).
	 * @throws IOException if closing fails
	 */
	@Override
	public void close() throws IOException {
		this.database.close();
	}

	private void writePages(byte[] frames, int offset, int length, long walOffset, long index) throws IOException {
		int frameSize = WalFrameHeader.SIZE + this.pageSize;
		for (int at = offset; at < offset + length; at += frameSize) {
			int pageNumber = WalFrameHeader.parse(frames, at).pageNumber();
			runFor(pageNumber, walOffset + at - offset, index).put(frames, at + WalFrameHeader.SIZE, this.pageSize);
		}
		writeRun();
	}

	/**
	 * The buffer to put a page in: pages that follow each other in the file go out in one
	 * write (bulk inserts append pages in order, and one system call per page is the slow
	 * part), so the run gathered so far is written first only if this page does not continue
	 * it. The buffer is direct, which the file takes as it is (heap buffers pass through a
	 * temporary one, more JDK code for a cold JVM to compile).
	 */
	private ByteBuffer runFor(int pageNumber, long frameOffset, long index) throws IOException {
		if (pageNumber < 1) {
			throw invalid(index, "a frame at offset " + Pos.hex(frameOffset) + " names page "
					+ Integer.toUnsignedString(pageNumber), "the segment holding that offset is corrupt", null);
		}
		if (this.run == null) {
			this.run = ByteBuffer.allocateDirect(Math.max(1, RUN_BYTES / this.pageSize) * this.pageSize);
		}
		int runLength = this.run.position() / this.pageSize;
		if (runLength > 0 && (pageNumber != this.runStart + runLength || !this.run.hasRemaining())) {
			writeRun();
			runLength = 0;
		}
		if (runLength == 0) {
			this.runStart = pageNumber;
		}
		return this.run;
	}

	private void writeRun() throws IOException {
		ByteBuffer pages = this.run;
		if (pages == null) {
			return;
		}
		pages.flip();
		long target = (long) (this.runStart - 1) * this.pageSize;
		while (pages.hasRemaining()) {
			target += this.database.write(pages, target);
		}
		pages.clear();
	}

	private int readPageSize(long snapshotIndex) throws IOException {
		if (this.database.size() == 0) {
			return 0;
		}
		byte[] bytes = new byte[DatabaseHeader.SIZE];
		WalScanner.readFully(this.database, bytes, 0);
		try {
			return DatabaseHeader.parse(bytes).pageSize();
		}
		catch (IllegalArgumentException ex) {
			throw new RestoreException("The snapshot of generation " + this.generation + " index "
					+ Pos.hex(snapshotIndex) + " in " + this.replicaLocation + " is not a SQLite database: "
					+ ex.getMessage() + "; restore from another snapshot or replica",
					DamagedObject.snapshot(this.generation, snapshotIndex), ex);
		}
	}

	/**
	 * Every segment ends on a commit frame, so valid frames reach the end of an index's WAL.
	 * Bytes past the last valid commit frame mean a segment is corrupt or cut short; applying
	 * later indexes on top of the frames before them would mix pages of two moments.
	 */
	private RestoreException damagedTail(RestorePlan.WalIndex walIndex, long validEnd, long size) {
		WalSegmentInfo segment = walIndex.segments().get(0);
		for (WalSegmentInfo candidate : walIndex.segments()) {
			if (candidate.offset() <= validEnd) {
				segment = candidate;
			}
		}
		String key = ReplicaLayout.walSegmentKey(new Pos(this.generation, walIndex.index(), segment.offset()));
		return new RestoreException("WAL index generation=" + this.generation + " index=" + Pos.hex(walIndex.index())
				+ " in " + this.replicaLocation + " is damaged: its valid frames end at offset " + Pos.hex(validEnd)
				+ ", " + (size - validEnd) + " bytes before its end, inside segment " + key
				+ " (corrupt or cut short); restore up to the previous index or from another replica",
				DamagedObject.wal(this.generation, walIndex.index()), null);
	}

	private RestoreException invalid(long index, String problem, String damaged, Exception cause) {
		return new RestoreException("WAL index generation=" + this.generation + " index=" + Pos.hex(index) + " in "
				+ this.replicaLocation + " is not a valid SQLite WAL: " + problem + "; " + damaged
				+ ", restore up to the previous index or from another replica", DamagedObject.wal(this.generation, index),
				cause);
	}

}
