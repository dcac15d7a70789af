package io.github.litestream.replica;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Yields the LZ4 frame encoding of another stream as it is read, so that uploads can stream a
 * database of any size: the encoder writes into a small queue that the reader drains.
 */
final class Lz4CompressingInputStream extends InputStream {

	private final InputStream source;

	private final ByteQueue queue = new ByteQueue();

	private final OutputStream encoder;

	private final byte[] chunk = new byte[64 * 1024];

	private boolean finished;

	Lz4CompressingInputStream(InputStream source) throws IOException {
		this.source = source;
		this.encoder = Lz4.compress(this.queue);
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
	}

	@Override
	public int read(byte[] b, int off, int len) throws IOException {
		if (len == 0) {
			return 0;
		}
		while (this.queue.size() == 0 && !this.finished) {
			int n = this.source.read(this.chunk);
			if (n < 0) {
				this.encoder.close();
				this.finished = true;
			}
			else {
				this.encoder.write(this.chunk, 0, n);
			}
		}
		return this.queue.drain(b, off, len);
	}

	@Override
	public void close() throws IOException {
		this.source.close();
	}

	/**
	 * The encoder's output, waiting to be read; it grows to at most about one compressed block.
	 */
	private static final class ByteQueue extends OutputStream {

		private byte[] data = new byte[0];

		private int start;

		private int end;

		@Override
		public void write(int b) {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] b, int off, int len) {
			if (this.end + len > this.data.length) {
				int live = this.end - this.start;
				byte[] target = (live + len > this.data.length) ? new byte[Math.max(live + len, this.data.length * 2)]
						: this.data;
				System.arraycopy(this.data, this.start, target, 0, live);
				this.data = target;
				this.start = 0;
				this.end = live;
			}
			System.arraycopy(b, off, this.data, this.end, len);
			this.end += len;
		}

		int size() {
			return this.end - this.start;
		}

		int drain(byte[] b, int off, int len) {
			int live = size();
			if (live == 0) {
				return -1;
			}
			int n = Math.min(len, live);
			System.arraycopy(this.data, this.start, b, off, n);
			this.start += n;
			return n;
		}

	}

}
