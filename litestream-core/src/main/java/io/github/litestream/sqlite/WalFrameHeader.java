package io.github.litestream.sqlite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 24-byte header in front of every page in a SQLite WAL.
 *
 * @param pageNumber the database page this frame holds
 * @param commitSize for a commit frame, the database size in pages after the commit;
 * {@code 0} for every other frame
 * @param salt1 must equal the WAL header's first salt
 * @param salt2 must equal the WAL header's second salt
 * @param checksum1 first half of the cumulative checksum up to and including this frame
 * @param checksum2 second half of the cumulative checksum
 */
public record WalFrameHeader(int pageNumber, int commitSize, int salt1, int salt2, int checksum1, int checksum2) {

	/** Size of a frame header in bytes. */
	public static final int SIZE = 24;

	/**
	 * Parses a frame header.
	 * @param bytes the buffer
	 * @param offset where the frame header starts
	 * @return the frame header
	 */
	public static WalFrameHeader parse(byte[] bytes, int offset) {
		ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, SIZE).order(ByteOrder.BIG_ENDIAN);
		return new WalFrameHeader(buffer.getInt(), buffer.getInt(), buffer.getInt(), buffer.getInt(), buffer.getInt(),
				buffer.getInt());
	}

	/**
	 * Whether this frame ends a transaction.
	 * @return {@code true} for a commit frame
	 */
	public boolean isCommit() {
		return this.commitSize != 0;
	}

	/**
	 * The cumulative checksum stored in this frame.
	 * @return the checksum
	 */
	public WalChecksum checksum() {
		return new WalChecksum(this.checksum1, this.checksum2);
	}

}
