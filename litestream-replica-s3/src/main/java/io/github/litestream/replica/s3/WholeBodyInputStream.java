package io.github.litestream.replica.s3;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * An answer's body that fails when it ends before its {@code Content-Length}: the JDK's HTTP
 * client reports a connection closed early as a normal end of the body, and an object cut
 * between two LZ4 frames would pass every check of its content.
 */
final class WholeBodyInputStream extends FilterInputStream {

	/** The longest body {@link #readAllBytes()} reads into one array at once. */
	private static final long MAX_WHOLE = 64 * 1024 * 1024;

	private final long expected;

	private final String key;

	private long read;

	/**
	 * Wraps a body.
	 * @param body the answer's body
	 * @param expected its {@code Content-Length}, or -1 if not given (nothing is checked then)
	 * @param key the object's key, for the error
	 */
	WholeBodyInputStream(InputStream body, long expected, String key) {
		super(body);
		this.expected = expected;
		this.key = key;
	}

	@Override
	public int read() throws IOException {
		int b = super.read();
		if (b < 0) {
			checkWhole();
		}
		else {
			this.read++;
		}
		return b;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int n = super.read(buffer, offset, length);
		if (n < 0) {
			checkWhole();
		}
		else {
			this.read += n;
		}
		return n;
	}

	/**
	 * With a known length, one array of that length, filled in place: the restore reads every
	 * WAL segment whole, and the default reads 8 KiB pieces and copies them together.
	 */
	@Override
	public byte[] readAllBytes() throws IOException {
		if (this.expected < 0 || this.read > 0 || this.expected > MAX_WHOLE) {
			return super.readAllBytes();
		}
		byte[] body = new byte[(int) this.expected];
		int n = readNBytes(body, 0, body.length);
		if (n < body.length) {
			checkWhole();
		}
		byte[] more = super.readAllBytes();
		if (more.length == 0) {
			return body;
		}
		// Longer than announced: whatever the server sent, as the default would return it.
		byte[] all = Arrays.copyOf(body, body.length + more.length);
		System.arraycopy(more, 0, all, body.length, more.length);
		return all;
	}

	@Override
	public long skip(long n) throws IOException {
		long skipped = super.skip(n);
		this.read += skipped;
		return skipped;
	}

	@Override
	public boolean markSupported() {
		return false;
	}

	private void checkWhole() throws EOFException {
		if (this.expected >= 0 && this.read < this.expected) {
			throw new EOFException("S3 object '" + this.key + "' ended after " + this.read + " of its " + this.expected
					+ " bytes: the connection was closed early");
		}
	}

}
