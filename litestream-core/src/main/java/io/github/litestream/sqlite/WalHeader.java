package io.github.litestream.sqlite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 32-byte header at the start of a SQLite WAL file.
 *
 * <p>All fields are big-endian on disk. The magic number says in which byte order the
 * frame checksums are computed: {@code 0x377f0682} means little-endian words,
 * {@code 0x377f0683} big-endian words. The two salts change every time the WAL restarts,
 * which is how a reader tells a new WAL apart from stale frames of an earlier one.
 *
 * @param magic the magic number
 * @param formatVersion the WAL format version (3007000)
 * @param pageSize the database page size in bytes
 * @param checkpointSequence incremented on every checkpoint that restarts the WAL
 * @param salt1 first salt, copied into every frame header
 * @param salt2 second salt, copied into every frame header
 * @param checksum1 first half of the header checksum
 * @param checksum2 second half of the header checksum
 */
public record WalHeader(int magic, int formatVersion, int pageSize, int checkpointSequence, int salt1,
		int salt2, int checksum1, int checksum2) {

	/** Size of the WAL header in bytes. */
	public static final int SIZE = 32;

	/** Magic number for checksums computed over little-endian 32-bit words. */
	public static final int MAGIC_LITTLE_ENDIAN = 0x377f0682;

	/** Magic number for checksums computed over big-endian 32-bit words. */
	public static final int MAGIC_BIG_ENDIAN = 0x377f0683;

	/**
	 * Parses and validates a WAL header.
	 * @param bytes at least {@link #SIZE} bytes starting at {@code offset}
	 * @param offset where the header starts
	 * @return the header
	 * @throws InvalidWalException if the magic number, page size or header checksum is wrong
	 */
	public static WalHeader parse(byte[] bytes, int offset) {
		if (bytes.length - offset < SIZE) {
			throw new InvalidWalException("WAL header is truncated: " + (bytes.length - offset) + " of " + SIZE + " bytes");
		}
		ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, SIZE).order(ByteOrder.BIG_ENDIAN);
		WalHeader header = new WalHeader(buffer.getInt(), buffer.getInt(), decodePageSize(buffer.getInt()),
				buffer.getInt(), buffer.getInt(), buffer.getInt(), buffer.getInt(), buffer.getInt());
		if (header.magic != MAGIC_LITTLE_ENDIAN && header.magic != MAGIC_BIG_ENDIAN) {
			throw new InvalidWalException(String.format("Not a SQLite WAL: magic number 0x%08x", header.magic));
		}
		if (!PageSize.isValid(header.pageSize)) {
			throw new InvalidWalException("WAL header has an invalid page size: " + header.pageSize);
		}
		WalChecksum checksum = WalChecksum.compute(header.bigEndianChecksums(), WalChecksum.ZERO, bytes, offset, 24);
		if (checksum.first() != header.checksum1 || checksum.second() != header.checksum2) {
			throw new InvalidWalException("WAL header checksum does not match");
		}
		return header;
	}

	private static int decodePageSize(int raw) {
		return (raw == 1) ? 65536 : raw;
	}

	/**
	 * Whether frame checksums are computed over big-endian words.
	 * @return {@code true} for magic {@code 0x377f0683}
	 */
	public boolean bigEndianChecksums() {
		return this.magic == MAGIC_BIG_ENDIAN;
	}

	/**
	 * The checksum that the first frame's checksum continues from.
	 * @return the header checksum
	 */
	public WalChecksum checksum() {
		return new WalChecksum(this.checksum1, this.checksum2);
	}

	/**
	 * Size of one frame (frame header plus page) in this WAL.
	 * @return the frame size in bytes
	 */
	public int frameSize() {
		return WalFrameHeader.SIZE + this.pageSize;
	}

	/**
	 * Whether a frame header carries this WAL's salts.
	 * @param frame the frame header
	 * @return {@code true} if both salts match
	 */
	public boolean saltsMatch(WalFrameHeader frame) {
		return frame.salt1() == this.salt1 && frame.salt2() == this.salt2;
	}

}
