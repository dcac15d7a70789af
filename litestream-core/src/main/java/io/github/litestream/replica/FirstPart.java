package io.github.litestream.replica;

import java.io.IOException;
import java.io.PushbackInputStream;
import java.util.Arrays;

/**
 * The start of an upload body of unknown length, read up to one part (a block, a chunk) of a
 * multi-part upload, into an array that grows with what arrives: most bodies are WAL segments of
 * a few KiB, which must not cost a zeroed array of a whole part (8 MiB by default) each.
 *
 * @param buffer the bytes read; exactly {@code partSize} long when {@link #more()}, so that it
 * can hold the following parts
 * @param length how many bytes of {@code buffer} were read
 * @param more whether the body goes on after this part (a multi-part upload is needed)
 */
public record FirstPart(byte[] buffer, int length, boolean more) {

	/** Where the array starts. */
	private static final int INITIAL_SIZE = 64 * 1024;

	/**
	 * Reads the first part of a body.
	 * @param in the body; one byte may be pushed back into it
	 * @param partSize the size of a part
	 * @return the first part
	 * @throws IOException if the body cannot be read
	 */
	public static FirstPart read(PushbackInputStream in, int partSize) throws IOException {
		if (partSize < 1) {
			throw new IllegalArgumentException("A part holds at least one byte: " + partSize);
		}
		byte[] buffer = new byte[Math.min(INITIAL_SIZE, partSize)];
		int length = 0;
		while (true) {
			int read = in.readNBytes(buffer, length, buffer.length - length);
			length += read;
			if (length < buffer.length) {
				return new FirstPart(buffer, length, false);
			}
			if (buffer.length == partSize) {
				return new FirstPart(buffer, length, hasMore(in));
			}
			if (!hasMore(in)) {
				return new FirstPart(buffer, length, false);
			}
			buffer = Arrays.copyOf(buffer, (int) Math.min(partSize, buffer.length * 4L));
		}
	}

	private static boolean hasMore(PushbackInputStream in) throws IOException {
		int next = in.read();
		if (next == -1) {
			return false;
		}
		in.unread(next);
		return true;
	}

}
