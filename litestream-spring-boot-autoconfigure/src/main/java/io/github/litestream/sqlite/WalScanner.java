package io.github.litestream.sqlite;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Walks the frames of a WAL file and finds where its committed, checksum-valid content ends.
 *
 * <p>A frame belongs to the WAL only if it carries the header's salts and its cumulative
 * checksum continues the previous frame's. Scanning stops at the first frame that fails
 * either test (a torn write, a stale frame from an earlier WAL, or the end of the file).
 * Only whole transactions count: the result is the end of the last commit frame, never the
 * end of a trailing, uncommitted transaction.
 */
public final class WalScanner {

	private static final int FRAMES_PER_READ = 64;

	private WalScanner() {
	}

	/**
	 * Scans {@code wal} from {@code offset} (a frame boundary after the header).
	 * @param wal the WAL file
	 * @param header its header
	 * @param offset where to start; {@link WalHeader#SIZE} for the first frame
	 * @param previous the checksum of the frame before {@code offset} (the header's at the start)
	 * @return where the committed content ends, and its checksum and size there
	 * @throws IOException if the file cannot be read
	 */
	public static WalScan scan(FileChannel wal, WalHeader header, long offset, WalChecksum previous)
			throws IOException {
		int frameSize = header.frameSize();
		byte[] chunk = new byte[frameSize * FRAMES_PER_READ];
		long position = offset;
		WalChecksum checksum = previous;
		WalScan committed = new WalScan(offset, previous, 0, 0);
		int frames = 0;
		while (true) {
			int read = readFully(wal, chunk, position);
			int whole = read / frameSize;
			for (int i = 0; i < whole; i++) {
				int at = i * frameSize;
				WalFrameHeader frame = WalFrameHeader.parse(chunk, at);
				if (!header.saltsMatch(frame)) {
					return committed;
				}
				checksum = WalChecksum.ofFrame(header.bigEndianChecksums(), checksum, chunk, at, header.pageSize());
				if (!checksum.equals(frame.checksum())) {
					return committed;
				}
				frames++;
				if (frame.isCommit()) {
					committed = new WalScan(position + (long) (i + 1) * frameSize, checksum, frames,
							frame.commitSize());
				}
			}
			if (whole < FRAMES_PER_READ) {
				return committed;
			}
			position += (long) whole * frameSize;
		}
	}

	/**
	 * Reads the header at the start of a WAL file.
	 * @param wal the WAL file
	 * @return the header
	 * @throws IOException if the file is shorter than a header or cannot be read
	 * @throws InvalidWalException if the header is not valid
	 */
	public static WalHeader readHeader(FileChannel wal) throws IOException {
		byte[] bytes = new byte[WalHeader.SIZE];
		if (readFully(wal, bytes, 0) < WalHeader.SIZE) {
			throw new EOFException("WAL is shorter than its " + WalHeader.SIZE + "-byte header");
		}
		return WalHeader.parse(bytes, 0);
	}

	/**
	 * Reads the frame header at {@code offset}.
	 * @param wal the WAL file
	 * @param offset where the frame starts
	 * @return the frame header
	 * @throws IOException if fewer than {@link WalFrameHeader#SIZE} bytes are there
	 */
	public static WalFrameHeader readFrameHeader(FileChannel wal, long offset) throws IOException {
		byte[] bytes = new byte[WalFrameHeader.SIZE];
		if (readFully(wal, bytes, offset) < bytes.length) {
			throw new EOFException("No whole frame header at WAL offset " + offset);
		}
		return WalFrameHeader.parse(bytes, 0);
	}

	/**
	 * Reads into {@code buffer} from {@code position} until it is full or the file ends.
	 * @param channel the file
	 * @param buffer the destination
	 * @param position the file position
	 * @return the number of bytes read
	 * @throws IOException on a read error
	 */
	public static int readFully(FileChannel channel, byte[] buffer, long position) throws IOException {
		ByteBuffer target = ByteBuffer.wrap(buffer);
		while (target.hasRemaining()) {
			int n = channel.read(target, position + target.position());
			if (n < 0) {
				break;
			}
		}
		return target.position();
	}

	/**
	 * Where a WAL's committed content ends.
	 *
	 * @param end offset just after the last valid commit frame (the start offset if none)
	 * @param checksum the cumulative checksum at {@code end}
	 * @param frames number of frames between the start offset and {@code end}
	 * @param databasePages database size in pages after the last commit, 0 if none was seen
	 */
	public record WalScan(long end, WalChecksum checksum, int frames, int databasePages) {
	}

}
