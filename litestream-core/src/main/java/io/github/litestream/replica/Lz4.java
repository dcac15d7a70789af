package io.github.litestream.replica;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.util.Arrays;

import io.github.litestream.age.Age;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream.BLOCKSIZE;
import net.jpountz.lz4.LZ4FrameOutputStream.FLG;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The standard LZ4 frame format, as Litestream writes it (independent blocks, a content
 * checksum, no content size) but with 1 MB blocks where Litestream uses 4 MB: every frame
 * reader (the {@code lz4} command-line tool, Litestream's) accepts both, and a stream then
 * needs about 2 MB of heap instead of 8, which keeps snapshots of any size inside a small heap.
 *
 * <p>Reading always uses the bounds-checked decompressor: replica objects are input we do not
 * control.
 */
public final class Lz4 {

	private static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();

	private static final XXHashFactory HASHES = XXHashFactory.fastestInstance();

	private static final Lz4WholeFrames WHOLE_FRAMES = new Lz4WholeFrames(FACTORY.safeDecompressor(), HASHES.hash32());

	private Lz4() {
	}

	/**
	 * Which implementation decodes: loading the native one (lz4-java extracts and loads a
	 * library) happens the first time this class is used, so calling this loads it.
	 * @return a description of the decoder, such as {@code LZ4Factory:JNI}
	 */
	public static String implementation() {
		return FACTORY.toString();
	}

	/**
	 * Wraps a stream so that what is written to it is LZ4-compressed. Closing the returned
	 * stream writes the end mark and closes {@code out}.
	 * @param out where compressed bytes go
	 * @return the compressing stream
	 * @throws IOException if the frame header cannot be written
	 */
	public static OutputStream compress(OutputStream out) throws IOException {
		return new LZ4FrameOutputStream(out, BLOCKSIZE.SIZE_1MB, -1L, FACTORY.fastCompressor(), HASHES.hash32(),
				FLG.Bits.BLOCK_INDEPENDENCE, FLG.Bits.CONTENT_CHECKSUM);
	}

	/**
	 * A stream that yields the LZ4 encoding of {@code source} as it is read, holding no more
	 * than about one 1 MB block in memory. Closing it closes {@code source}.
	 * @param source the bytes to compress
	 * @return the compressed bytes
	 * @throws IOException if the encoder cannot start
	 */
	public static InputStream compressing(InputStream source) throws IOException {
		return new Lz4CompressingInputStream(source);
	}

	/**
	 * Wraps a stream of LZ4 frames so that reading it yields the decompressed bytes.
	 * Checksums are verified; a truncated or corrupt stream raises an {@link IOException}, and
	 * an age-encrypted one an {@link io.github.litestream.age.AgeException} that says so.
	 * @param in compressed bytes
	 * @return the decompressing stream
	 * @throws IOException if the frame header is not valid
	 */
	public static InputStream decompress(InputStream in) throws IOException {
		PushbackInputStream head = new PushbackInputStream(in, Age.magicLength());
		byte[] prefix = head.readNBytes(Age.magicLength());
		// An encrypted replica read without its keys: say so rather than "not an LZ4 frame".
		Age.requireNotEncrypted(prefix);
		head.unread(prefix);
		return new LZ4FrameInputStream(head, FACTORY.safeDecompressor(), HASHES.hash32());
	}

	/**
	 * Decompresses LZ4 frames held in memory, for small objects: only the result is allocated,
	 * not a stream's block buffers. Checksums are verified as by {@link #decompress(InputStream)}.
	 * @param compressed the whole object
	 * @param limit the most decompressed bytes to return
	 * @return the decompressed bytes, or {@code null} if there would be more than {@code limit}
	 * or the frames use features left to {@link #decompress(InputStream)} (linked blocks, a
	 * dictionary): stream the object then
	 * @throws IOException if the frames are truncated or corrupt; an
	 * {@link io.github.litestream.age.AgeException} if the object is age-encrypted
	 */
	public static byte[] decompress(byte[] compressed, int limit) throws IOException {
		Age.requireNotEncrypted(Arrays.copyOf(compressed, Math.min(compressed.length, Age.magicLength())));
		return WHOLE_FRAMES.decode(compressed, limit);
	}

}
