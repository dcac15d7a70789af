package io.github.litestream.db;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.github.litestream.replica.Pos;

/**
 * A range of one shadow WAL file that a replica has not shipped yet. It always ends on a
 * commit frame, because the shadow WAL only ever holds whole transactions.
 *
 * @param start where the range starts
 * @param length how many bytes it holds
 * @param file the shadow WAL file
 */
public record ShadowWalSegment(Pos start, long length, Path file) {

	/**
	 * Where the range ends.
	 * @return the position after its last byte
	 */
	public Pos end() {
		return new Pos(this.start.generation(), this.start.index(), this.start.offset() + this.length);
	}

	/**
	 * Opens the range for reading.
	 * @return a stream of exactly {@link #length()} bytes
	 * @throws IOException if the file cannot be opened
	 */
	public InputStream open() throws IOException {
		FileChannel channel = FileChannel.open(this.file, StandardOpenOption.READ);
		channel.position(this.start.offset());
		InputStream in = Channels.newInputStream(channel);
		return new InputStream() {

			private long remaining = ShadowWalSegment.this.length;

			@Override
			public int read() throws IOException {
				if (this.remaining <= 0) {
					return -1;
				}
				int b = in.read();
				if (b < 0) {
					throw truncated(this.remaining);
				}
				this.remaining--;
				return b;
			}

			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				if (this.remaining <= 0) {
					return -1;
				}
				int n = in.read(b, off, (int) Math.min(len, this.remaining));
				if (n < 0) {
					// Shipping fewer bytes than the position advances by would leave a gap.
					throw truncated(this.remaining);
				}
				this.remaining -= n;
				return n;
			}

			@Override
			public void close() throws IOException {
				in.close();
			}

		};
	}


	private EOFException truncated(long missing) {
		return new EOFException("Shadow WAL " + this.file + " ends " + missing + " bytes before the end of the range "
				+ this.start + " + " + this.length);
	}

}
