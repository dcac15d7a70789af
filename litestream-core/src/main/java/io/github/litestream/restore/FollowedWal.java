package io.github.litestream.restore;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.nio.file.StandardOpenOption;

import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaLayout;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.sqlite.WalChecksum;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;
import org.jspecify.annotations.Nullable;

/**
 * The WAL of the index a {@link ReplicaFollower} is applying: the replica's segments of that
 * index, decompressed one after another into a local file, which is always a byte-exact prefix
 * of the index's WAL ending on a commit frame. Each new segment is fetched into the file first
 * and applied to the database afterwards (see {@link #apply}), continuing the checksum chain
 * where the previous segment ended, so a damaged segment is found before any of its pages is
 * written. When the follower stops, the file is what lets the engine continue the generation
 * (see {@link io.github.litestream.db.GenerationContinuation}).
 *
 * <p>Used by the follower's thread only.
 */
final class FollowedWal {

	private final Path file;

	private final String generation;

	private final long index;

	private WalHeader header;

	private WalChecksum checksum;

	/** Bytes applied to the database: the file's valid length. */
	private long size;

	/** The last segment applied, as listed then, or {@code null} if none was. */
	private @Nullable WalSegmentInfo lastSegment;

	private FollowedWal(Path file, String generation, long index) {
		this.file = file;
		this.generation = generation;
		this.index = index;
	}

	/**
	 * Takes over the WAL a restore applied last.
	 * @param file the WAL, from offset 0, all of it applied
	 * @param generation its generation
	 * @param index its index
	 * @param lastSegment the last segment of it that the restore applied, as listed
	 * @return the WAL
	 * @throws IOException if it cannot be read or is not whole valid transactions
	 */
	static FollowedWal restored(Path file, String generation, long index, WalSegmentInfo lastSegment) throws IOException {
		FollowedWal wal = new FollowedWal(file, generation, index);
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			wal.header = WalScanner.readHeader(channel);
			WalScanner.WalScan scan = WalScanner.scan(channel, wal.header, WalHeader.SIZE, wal.header.checksum());
			if (scan.end() != channel.size()) {
				throw new IOException("The restored WAL of index " + Pos.hex(index) + " does not end on a commit frame");
			}
			wal.checksum = scan.checksum();
			wal.size = scan.end();
		}
		wal.lastSegment = lastSegment;
		return wal;
	}

	/**
	 * Starts an index the follower has nothing of yet.
	 * @param file where its WAL goes; replaced if it exists
	 * @param generation the generation
	 * @param index the index
	 * @return the WAL
	 * @throws IOException if the file cannot be created
	 */
	static FollowedWal start(Path file, String generation, long index) throws IOException {
		Files.deleteIfExists(file);
		Files.createFile(file);
		return new FollowedWal(file, generation, index);
	}

	/**
	 * Whether a segment is the next one of this index: it starts where the applied bytes end, or
	 * it is the last one applied, {@link #grown rewritten with more bytes}.
	 * @param segment a segment of the generation
	 * @return {@code true} if it follows on
	 */
	boolean isNext(WalSegmentInfo segment) {
		return segment.generation().equals(this.generation) && segment.index() == this.index
				&& (segment.offset() == this.size || grown(segment));
	}

	/**
	 * Whether a listed segment holds bytes not applied yet: it lies after the position, or it
	 * is the last one applied, {@link #grown rewritten with more bytes}.
	 * @param segment a segment of the generation
	 * @return {@code true} if it is still to be applied
	 */
	boolean notApplied(WalSegmentInfo segment) {
		Pos at = position();
		return segment.index() > at.index() || (segment.index() == at.index() && segment.offset() >= at.offset())
				|| grown(segment);
	}

	/**
	 * Whether a segment begins the next index right after the whole of this one.
	 * @param segment a listed segment
	 * @param segments the generation's listing
	 * @return {@code true} if so
	 */
	boolean startsNextIndex(WalSegmentInfo segment, List<WalSegmentInfo> segments) {
		return segment.index() == this.index + 1 && segment.offset() == 0 && lastSegmentListed(segments);
	}

	/**
	 * Whether the listing shows the last segment applied with another size or time: the writer
	 * rewrote it with the same bytes and more after them (its index passed 4 GiB, or an
	 * encrypted replica restarted without identities); the bytes past those applied follow on.
	 * @param segment a listed segment
	 * @return {@code true} if it is the last applied one, changed
	 */
	boolean grown(WalSegmentInfo segment) {
		WalSegmentInfo applied = this.lastSegment;
		return applied != null && segment.index() == applied.index() && segment.offset() == applied.offset()
				&& (segment.size() != applied.size() || !segment.createdAt().equals(applied.createdAt()));
	}

	/**
	 * Fetches a segment into the file and applies its transactions to the database.
	 * @param client the replica
	 * @param segment the next segment ({@link #isNext})
	 * @param database applies pages to the database; called with the follower's apply lock held
	 * @return the segment's decompressed length
	 * @throws IOException if it cannot be fetched, or is not whole valid transactions that follow
	 * the previous ones (then nothing of it is applied)
	 */
	long fetchAndApply(ReplicaClient client, WalSegmentInfo segment, Applier database) throws IOException {
		long length;
		try (FileChannel channel = FileChannel.open(this.file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			channel.truncate(this.size);
			try {
				length = fetchAndApply(channel, client, segment, database);
			}
			catch (IOException | RuntimeException ex) {
				// Back to applied bytes only, for a stop before the next poll (its continuation
				// proves the file ends at the position).
				try {
					channel.truncate(this.size);
				}
				catch (IOException truncate) {
					ex.addSuppressed(truncate);
				}
				throw ex;
			}
		}
		this.size += length;
		this.lastSegment = segment;
		return length;
	}

	private long fetchAndApply(FileChannel channel, ReplicaClient client, WalSegmentInfo segment, Applier database)
			throws IOException {
		long length;
		try (InputStream in = Lz4.decompress(client.openWalSegment(segment.pos()))) {
			// A rewritten segment's first bytes are applied already (checked by the checksums of
			// the frames after them, which chain from the last applied one).
			long applied = this.size - segment.offset();
			try {
				in.skipNBytes(applied);
			}
			catch (EOFException ex) {
				throw new RestoreException("WAL segment " + ReplicaLayout.walSegmentKey(segment.pos()) + " in "
						+ client.location() + " was rewritten shorter than the " + applied + " bytes applied from it",
						DamagedObject.wal(this.generation, this.index), ex);
			}
			length = StreamToFile.copy(in, channel, this.size);
		}
		if (this.header == null) {
			this.header = WalScanner.readHeader(channel);
			this.checksum = this.header.checksum();
		}
		long from = Math.max(this.size, WalHeader.SIZE);
		WalScanner.WalScan scan = database.apply(channel, this.header, from, this.checksum, this.index);
		if (scan.end() != this.size + length) {
			throw new RestoreException("WAL segment " + ReplicaLayout.walSegmentKey(segment.pos()) + " in "
					+ client.location() + " does not hold whole valid transactions following the previous "
					+ "segments (valid up to offset " + Pos.hex(scan.end()) + " of " + Pos.hex(this.size + length)
					+ ")", DamagedObject.wal(this.generation, this.index), null);
		}
		this.checksum = scan.checksum();
		return length;
	}

	/**
	 * Whether the listing still shows the last segment applied, unchanged: the proof that the
	 * index ended where this file ends when the next index begins. Retention may have deleted
	 * it; or the writer rewrote it with more bytes (an index past 4 GiB, or an encrypted replica
	 * that restarted without identities), bytes this file lacks.
	 * @param segments the generation's listing
	 * @return {@code true} if the last applied segment is listed with the same size and time (or
	 * the index has none applied)
	 */
	boolean lastSegmentListed(Iterable<WalSegmentInfo> segments) {
		WalSegmentInfo applied = this.lastSegment;
		if (applied == null) {
			return this.size == 0;
		}
		for (WalSegmentInfo segment : segments) {
			if (segment.index() == this.index && segment.offset() == applied.offset()) {
				return segment.size() == applied.size() && segment.createdAt().equals(applied.createdAt());
			}
		}
		return false;
	}

	/**
	 * The end of what was applied.
	 * @return the position
	 */
	Pos position() {
		return new Pos(this.generation, this.index, this.size);
	}

	Path file() {
		return this.file;
	}

	long index() {
		return this.index;
	}

	long size() {
		return this.size;
	}

	/** Writes the pages of a WAL's frames from an offset on into the database. */
	@FunctionalInterface
	interface Applier {

		WalScanner.WalScan apply(FileChannel wal, WalHeader header, long from, WalChecksum previous, long index)
				throws IOException;

	}

}
