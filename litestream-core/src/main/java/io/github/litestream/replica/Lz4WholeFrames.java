package io.github.litestream.replica;

import java.io.EOFException;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.Arrays;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;

/**
 * Decodes LZ4 frames that are wholly in memory into one array of exactly the decoded size.
 *
 * <p>A restore reads thousands of small WAL segments. Streaming each through
 * {@code LZ4FrameInputStream} allocates two buffers of the frame's maximum block size (1 or
 * 4 MB) per object, for some 90 KB of content: gigabytes of zeroed garbage per restore, which
 * a fresh JVM pays for in page faults and memset. This decoder reuses one block buffer per
 * thread and allocates only the result.
 *
 * <p>It implements the frame format of the LZ4 specification with independent blocks (what
 * Litestream and this project write): block and content checksums and the content size are
 * checked, skippable frames are skipped. Frames it does not handle (linked blocks, a
 * dictionary) and content over the caller's limit make it return {@code null}, so that the
 * caller streams the object instead.
 */
final class Lz4WholeFrames {

	private static final int MAGIC = 0x184D2204;

	private static final int SKIPPABLE_MAGIC = 0x184D2A50;

	private static final int SKIPPABLE_MASK = 0xFFFFFFF0;

	private static final int FLG_VERSION_MASK = 0xC0;

	private static final int FLG_VERSION = 0x40;

	private static final int FLG_BLOCK_INDEPENDENCE = 0x20;

	private static final int FLG_BLOCK_CHECKSUM = 0x10;

	private static final int FLG_CONTENT_SIZE = 0x08;

	private static final int FLG_CONTENT_CHECKSUM = 0x04;

	private static final int FLG_RESERVED = 0x02;

	private static final int FLG_DICTIONARY = 0x01;

	private static final int UNCOMPRESSED_BLOCK = 0x80000000;

	/**
	 * The block buffer of each decoding thread, as large as the largest block size seen (at most
	 * 4 MB); weakly held, so that a long-lived thread that once decoded does not keep it.
	 */
	private static final ThreadLocal<WeakReference<byte[]>> BLOCKS = ThreadLocal
		.withInitial(() -> new WeakReference<>(new byte[0]));

	private final LZ4SafeDecompressor decompressor;

	private final XXHash32 hash;

	Lz4WholeFrames(LZ4SafeDecompressor decompressor, XXHash32 hash) {
		this.decompressor = decompressor;
		this.hash = hash;
	}

	/**
	 * Decodes every frame in {@code in}.
	 * @param in one or more LZ4 frames, nothing else
	 * @param limit the most decoded bytes to hold
	 * @return the decoded bytes, or {@code null} if they would exceed {@code limit} or the frames
	 * use what this decoder leaves to the streaming one
	 * @throws IOException if the frames are corrupt or cut short
	 */
	byte[] decode(byte[] in, int limit) throws IOException {
		Output out = new Output(limit);
		int at = 0;
		do {
			int magic = intAt(in, at);
			if ((magic & SKIPPABLE_MASK) == SKIPPABLE_MAGIC) {
				at = skip(in, at + 8, intAt(in, at + 4));
				continue;
			}
			if (magic != MAGIC) {
				throw new IOException("Not an LZ4 frame: magic number " + Integer.toHexString(magic) + " at byte "
						+ at);
			}
			at = frame(in, at + 4, out);
			if (at < 0) {
				return null;
			}
		}
		while (at < in.length);
		return out.bytes();
	}

	/** Decodes one frame from just after its magic number; returns where it ends, or -1 to give up. */
	private int frame(byte[] in, int start, Output out) throws IOException {
		int flg = byteAt(in, start);
		int bd = byteAt(in, start + 1);
		if ((flg & FLG_VERSION_MASK) != FLG_VERSION || (flg & FLG_RESERVED) != 0 || (bd & 0x8F) != 0
				|| ((bd >> 4) & 7) < 4) {
			throw new IOException("Invalid LZ4 frame descriptor (FLG " + flg + ", BD " + bd + ")");
		}
		if ((flg & FLG_BLOCK_INDEPENDENCE) == 0 || (flg & FLG_DICTIONARY) != 0) {
			return -1;
		}
		int maxBlock = 1 << (8 + 2 * ((bd >> 4) & 7));
		int at = start + 2;
		long contentSize = -1;
		if ((flg & FLG_CONTENT_SIZE) != 0) {
			contentSize = (intAt(in, at) & 0xFFFFFFFFL) | ((long) intAt(in, at + 4) << 32);
			at += 8;
		}
		int headerChecksum = byteAt(in, at);
		if (((this.hash.hash(in, start, at - start, 0) >> 8) & 0xFF) != headerChecksum) {
			throw new IOException("LZ4 frame descriptor checksum mismatch");
		}
		at++;
		int contentStart = out.size;
		byte[] block = blockBuffer(maxBlock);
		while (true) {
			int header = intAt(in, at);
			at += 4;
			if (header == 0) {
				break;
			}
			int length = header & ~UNCOMPRESSED_BLOCK;
			if (length > maxBlock || length > in.length - at) {
				throw (length > maxBlock) ? new IOException("LZ4 block of " + length + " bytes exceeds the frame's "
						+ "maximum of " + maxBlock) : new EOFException("LZ4 frame cut short in a block");
			}
			if ((flg & FLG_BLOCK_CHECKSUM) != 0 && this.hash.hash(in, at, length, 0) != intAt(in, at + length)) {
				throw new IOException("LZ4 block checksum mismatch");
			}
			boolean added;
			if ((header & UNCOMPRESSED_BLOCK) != 0) {
				added = out.append(in, at, length);
			}
			else {
				added = out.append(block, 0, decompressBlock(in, at, length, block, maxBlock));
			}
			if (!added) {
				return -1;
			}
			at += length + (((flg & FLG_BLOCK_CHECKSUM) != 0) ? 4 : 0);
		}
		if ((flg & FLG_CONTENT_CHECKSUM) != 0) {
			if (this.hash.hash(out.buffer, contentStart, out.size - contentStart, 0) != intAt(in, at)) {
				throw new IOException("LZ4 content checksum mismatch");
			}
			at += 4;
		}
		if (contentSize >= 0 && contentSize != out.size - contentStart) {
			throw new IOException("LZ4 frame holds " + (out.size - contentStart) + " bytes, its header says "
					+ contentSize);
		}
		return at;
	}

	private int decompressBlock(byte[] in, int at, int length, byte[] block, int maxBlock) throws IOException {
		try {
			return this.decompressor.decompress(in, at, length, block, 0, maxBlock);
		}
		catch (LZ4Exception ex) {
			throw new IOException("Corrupt LZ4 block: " + ex.getMessage(), ex);
		}
	}

	private static byte[] blockBuffer(int size) {
		byte[] block = BLOCKS.get().get();
		if (block == null || block.length < size) {
			block = new byte[size];
			BLOCKS.set(new WeakReference<>(block));
		}
		return block;
	}

	private static int skip(byte[] in, int from, int length) throws EOFException {
		if (length < 0 || length > in.length - from) {
			throw new EOFException("LZ4 skippable frame cut short");
		}
		return from + length;
	}

	private static int byteAt(byte[] in, int at) throws EOFException {
		if (at >= in.length) {
			throw new EOFException("LZ4 frame cut short at byte " + at);
		}
		return in[at] & 0xFF;
	}

	private static int intAt(byte[] in, int at) throws EOFException {
		if (at < 0 || at > in.length - 4) {
			throw new EOFException("LZ4 frame cut short at byte " + at);
		}
		return (in[at] & 0xFF) | (in[at + 1] & 0xFF) << 8 | (in[at + 2] & 0xFF) << 16 | (in[at + 3] & 0xFF) << 24;
	}

	/** The decoded bytes so far, in an array grown as needed up to a limit. */
	private static final class Output {

		private final int limit;

		private byte[] buffer = new byte[0];

		private int size;

		Output(int limit) {
			this.limit = limit;
		}

		boolean append(byte[] bytes, int offset, int length) {
			if (length > this.limit - this.size) {
				return false;
			}
			if (length > this.buffer.length - this.size) {
				int grown = (int) Math.min(this.limit, Math.max((long) this.size + length, 2L * this.buffer.length));
				this.buffer = Arrays.copyOf(this.buffer, grown);
			}
			System.arraycopy(bytes, offset, this.buffer, this.size, length);
			this.size += length;
			return true;
		}

		byte[] bytes() {
			return (this.buffer.length == this.size) ? this.buffer : Arrays.copyOf(this.buffer, this.size);
		}

	}

}
