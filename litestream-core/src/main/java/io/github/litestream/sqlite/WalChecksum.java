package io.github.litestream.sqlite;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * SQLite's WAL checksum: two 32-bit accumulators run over 32-bit words of the input.
 *
 * <p>The checksum is cumulative: each frame's checksum continues from the previous frame's
 * (the first frame continues from the header's). It covers the first 8 bytes of the frame
 * header and the whole page. Words are read in the byte order the WAL magic names.
 *
 * @param first the first accumulator
 * @param second the second accumulator
 */
public record WalChecksum(int first, int second) {

	// Reads a whole word in one load instead of assembling it from four bytes: the checksum is
	// on the restore's critical path, and this makes it about twice as fast.
	private static final VarHandle BIG_ENDIAN_INT = MethodHandles.byteArrayViewVarHandle(int[].class,
			ByteOrder.BIG_ENDIAN);

	private static final VarHandle LITTLE_ENDIAN_INT = MethodHandles.byteArrayViewVarHandle(int[].class,
			ByteOrder.LITTLE_ENDIAN);

	/** The starting value for the header checksum. */
	public static final WalChecksum ZERO = new WalChecksum(0, 0);

	/**
	 * Continues a checksum over {@code length} bytes (a multiple of 8).
	 * @param bigEndian whether words are big-endian
	 * @param start the checksum to continue from
	 * @param bytes the data
	 * @param offset where the data starts
	 * @param length how many bytes to add; must be a multiple of 8
	 * @return the new checksum
	 */
	public static WalChecksum compute(boolean bigEndian, WalChecksum start, byte[] bytes, int offset, int length) {
		if ((length & 7) != 0) {
			throw new IllegalArgumentException("WAL checksums run over multiples of 8 bytes, not " + length);
		}
		int s0 = start.first;
		int s1 = start.second;
		int end = offset + length;
		if (bigEndian) {
			for (int i = offset; i < end; i += 8) {
				s0 += bigEndianInt(bytes, i) + s1;
				s1 += bigEndianInt(bytes, i + 4) + s0;
			}
		}
		else {
			for (int i = offset; i < end; i += 8) {
				s0 += littleEndianInt(bytes, i) + s1;
				s1 += littleEndianInt(bytes, i + 4) + s0;
			}
		}
		return new WalChecksum(s0, s1);
	}

	/**
	 * Computes the checksum of one frame: its first 8 header bytes, then its page.
	 * @param bigEndian whether words are big-endian
	 * @param previous the checksum of the previous frame (or the header)
	 * @param frame a buffer holding the frame
	 * @param offset where the frame starts
	 * @param pageSize the page size
	 * @return the frame's cumulative checksum
	 */
	public static WalChecksum ofFrame(boolean bigEndian, WalChecksum previous, byte[] frame, int offset, int pageSize) {
		WalChecksum afterHeader = compute(bigEndian, previous, frame, offset, 8);
		return compute(bigEndian, afterHeader, frame, offset + WalFrameHeader.SIZE, pageSize);
	}

	private static int bigEndianInt(byte[] b, int i) {
		return (int) BIG_ENDIAN_INT.get(b, i);
	}

	private static int littleEndianInt(byte[] b, int i) {
		return (int) LITTLE_ENDIAN_INT.get(b, i);
	}

}
