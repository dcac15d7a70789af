package io.github.litestream.replica;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

/**
 * Streams that deliver part of an object and then fail, as a connection that breaks in the
 * middle of a download does.
 */
public final class BreakingStreams {

	private BreakingStreams() {
	}

	/**
	 * Delivers the first bytes of an object, then throws.
	 * @param bytes the object
	 * @param length how many of its bytes arrive
	 * @param failure what the next read throws
	 * @return the stream
	 */
	public static InputStream breaksAfter(byte[] bytes, int length, IOException failure) {
		return new SequenceInputStream(new ByteArrayInputStream(bytes, 0, length), new InputStream() {

			@Override
			public int read() throws IOException {
				throw failure;
			}

		});
	}

	/**
	 * Delivers the first bytes of an object, then throws unchecked, as some SDKs' streams do
	 * (an {@link java.io.UncheckedIOException} for a connection reset).
	 * @param bytes the object
	 * @param length how many of its bytes arrive
	 * @param failure what the next read throws
	 * @return the stream
	 */
	public static InputStream breaksAfter(byte[] bytes, int length, RuntimeException failure) {
		return new SequenceInputStream(new ByteArrayInputStream(bytes, 0, length), new InputStream() {

			@Override
			public int read() {
				throw failure;
			}

		});
	}

}
