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
		return scan(wal, header, offset, previous, null);
	}

	/**
	 * Scans {@code wal} like {@link #scan(FileChannel, WalHeader, long, WalChecksum)} and hands
	 * the frames of every whole, valid transaction to {@code committed} as soon as its commit
	 * frame is verified, so that a reader of the frames needs no second pass over the file.
	 * Frames of a transaction that began in an earlier read are read again; the file must not
	 * change while it is scanned.
	 * @param wal the WAL file
	 * @param header its header
	 * @param offset where to start; {@link WalHeader#SIZE} for the first frame
	 * @param previous the checksum of the frame before {@code offset} (the header's at the start)
	 * @param committed receives the committed frames in WAL order, each exactly once; may be
	 * {@code null}
	 * @return where the committed content ends, and its checksum and size there
	 * @throws IOException if the file cannot be read, or {@code committed} fails
	 */
	public static WalScan scan(FileChannel wal, WalHeader header, long offset, WalChecksum previous,
			CommittedFrames committed) throws IOException {
		return scan(wal, header, offset, previous, committed, null);
	}

	/**
	 * Scans {@code wal} like {@link #scan(FileChannel, WalHeader, long, WalChecksum)} and hands
	 * every frame to {@code verified} right after its salts and checksum were checked: exactly
	 * the bytes that were checked, read once, so the file may change meanwhile without anything
	 * unchecked getting through. Frames of a transaction whose commit frame is not (yet) valid
	 * are handed over too; the caller keeps only what lies before the returned end.
	 * @param wal the WAL file
	 * @param header its header
	 * @param offset where to start; {@link WalHeader#SIZE} for the first frame
	 * @param previous the checksum of the frame before {@code offset} (the header's at the start)
	 * @param verified receives the checked frames in WAL order, each exactly once
	 * @return where the committed content ends, and its checksum and size there
	 * @throws IOException if the file cannot be read, or {@code verified} fails
	 */
	public static WalScan scanVerified(FileChannel wal, WalHeader header, long offset, WalChecksum previous,
			VerifiedFrames verified) throws IOException {
		return scan(wal, header, offset, previous, null, verified);
	}

	/**
	 * Scans a WAL held anywhere like {@link #scanVerified(FileChannel, WalHeader, long, WalChecksum, VerifiedFrames)}.
	 * @param wal the WAL's bytes
	 * @param header its header
	 * @param offset where to start; {@link WalHeader#SIZE} for the first frame
	 * @param previous the checksum of the frame before {@code offset} (the header's at the start)
	 * @param verified receives the checked frames in WAL order, each exactly once
	 * @return where the committed content ends, and its checksum and size there
	 * @throws IOException if the bytes cannot be read, or {@code verified} fails
	 */
	public static WalScan scanVerified(WalBytes wal, WalHeader header, long offset, WalChecksum previous,
			VerifiedFrames verified) throws IOException {
		return scan(wal, header, offset, previous, null, verified);
	}

	/**
	 * Scans a WAL held anywhere like {@link #scan(FileChannel, WalHeader, long, WalChecksum, CommittedFrames)}.
	 * @param wal the WAL's bytes
	 * @param header its header
	 * @param offset where to start; {@link WalHeader#SIZE} for the first frame
	 * @param previous the checksum of the frame before {@code offset} (the header's at the start)
	 * @param committed receives the committed frames in WAL order, each exactly once
	 * @return where the committed content ends, and its checksum and size there
	 * @throws IOException if the bytes cannot be read, or {@code committed} fails
	 */
	public static WalScan scan(WalBytes wal, WalHeader header, long offset, WalChecksum previous,
			CommittedFrames committed) throws IOException {
		return scan(wal, header, offset, previous, committed, null);
	}

	private static WalScan scan(FileChannel wal, WalHeader header, long offset, WalChecksum previous,
			CommittedFrames committed, VerifiedFrames verified) throws IOException {
		return scan(WalBytes.of(wal), header, offset, previous, committed, verified);
	}

	private static WalScan scan(WalBytes wal, WalHeader header, long offset, WalChecksum previous,
			CommittedFrames committed, VerifiedFrames verified) throws IOException {
		int frameSize = header.frameSize();
		byte[] chunk = new byte[frameSize * FRAMES_PER_READ];
		long position = offset;
		WalChecksum checksum = previous;
		WalScan result = new WalScan(offset, previous, 0, 0);
		long delivered = offset;
		byte[] earlier = null;
		int frames = 0;
		while (true) {
			int read = wal.read(chunk, position);
			int whole = read / frameSize;
			boolean valid = true;
			int checked = 0;
			for (; checked < whole; checked++) {
				int at = checked * frameSize;
				WalFrameHeader frame = WalFrameHeader.parse(chunk, at);
				valid = header.saltsMatch(frame);
				if (valid) {
					checksum = WalChecksum.ofFrame(header.bigEndianChecksums(), checksum, chunk, at, header.pageSize());
					valid = checksum.equals(frame.checksum());
				}
				if (!valid) {
					break;
				}
				frames++;
				if (frame.isCommit()) {
					result = new WalScan(position + (long) (checked + 1) * frameSize, checksum, frames,
							frame.commitSize());
				}
			}
			if (verified != null && checked > 0) {
				verified.frames(chunk, 0, checked * frameSize, position);
			}
			if (committed != null && result.end() > delivered) {
				if (delivered < position && earlier == null) {
					earlier = new byte[chunk.length];
				}
				deliver(wal, chunk, earlier, position, delivered, result.end(), committed);
				delivered = result.end();
			}
			if (!valid || whole < FRAMES_PER_READ) {
				return result;
			}
			position += (long) whole * frameSize;
		}
	}

	/**
	 * Hands over the frames between {@code from} and {@code to}; {@code chunk} holds those
	 * from {@code position} on, and {@code earlier} is room to read again those before it.
	 */
	private static void deliver(WalBytes wal, byte[] chunk, byte[] earlier, long position, long from, long to,
			CommittedFrames committed) throws IOException {
		long at = from;
		// Frames of a transaction that began in an earlier chunk are read again.
		while (at < position) {
			int length = (int) Math.min(earlier.length, position - at);
			if (wal.read(earlier, at) < length) {
				throw new EOFException("The WAL shrank while it was scanned, at offset " + at);
			}
			committed.frames(earlier, 0, length, at);
			at += length;
		}
		committed.frames(chunk, (int) (at - position), (int) (to - at), at);
	}

	/**
	 * Reads the header at the start of a WAL file.
	 * @param wal the WAL file
	 * @return the header
	 * @throws IOException if the file is shorter than a header or cannot be read
	 * @throws InvalidWalException if the header is not valid
	 */
	public static WalHeader readHeader(FileChannel wal) throws IOException {
		return readHeader(WalBytes.of(wal));
	}

	/**
	 * Reads the header at the start of a WAL held anywhere.
	 * @param wal the WAL's bytes
	 * @return the header
	 * @throws IOException if the WAL is shorter than a header or cannot be read
	 * @throws InvalidWalException if the header is not valid
	 */
	public static WalHeader readHeader(WalBytes wal) throws IOException {
		byte[] bytes = new byte[WalHeader.SIZE];
		if (wal.read(bytes, 0) < WalHeader.SIZE) {
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
	 * Receives every frame whose salts and checksum a scan checked, committed or not.
	 */
	@FunctionalInterface
	public interface VerifiedFrames {

		/**
		 * Receives checked frames, in WAL order.
		 * @param buffer holds the frames, the very bytes that were checked; only valid during
		 * the call
		 * @param offset where the first frame starts in {@code buffer}
		 * @param length the frames' length, a multiple of the frame size
		 * @param walOffset where the first frame is in the WAL
		 * @throws IOException if the frames cannot be used
		 */
		void frames(byte[] buffer, int offset, int length, long walOffset) throws IOException;

	}

	/**
	 * Receives the frames of whole, valid transactions from a scan.
	 */
	@FunctionalInterface
	public interface CommittedFrames {

		/**
		 * Receives whole frames, in WAL order.
		 * @param buffer holds the frames; only valid during the call
		 * @param offset where the first frame starts in {@code buffer}
		 * @param length the frames' length, a multiple of the frame size
		 * @param walOffset where the first frame is in the WAL
		 * @throws IOException if the frames cannot be used
		 */
		void frames(byte[] buffer, int offset, int length, long walOffset) throws IOException;

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
