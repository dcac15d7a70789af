package io.github.litestream.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The main database file, read through one descriptor that stays open as long as the engine.
 *
 * <p>POSIX record locks belong to a process, not to a descriptor: closing <em>any</em>
 * descriptor on the database file drops every lock SQLite holds on it in this JVM. Another
 * process could then think it is the last connection, checkpoint and delete the live WAL. So
 * the engine never opens and closes the database file casually: it opens it once, before it
 * needs it, and closes it only when the engine closes (after its own connections).
 */
final class DatabaseFile implements AutoCloseable {

	private final Path path;

	private final FileChannel channel;

	private DatabaseFile(Path path, FileChannel channel) {
		this.path = path;
		this.channel = channel;
	}

	/**
	 * Opens the database file for reading.
	 * @param path the database file; must exist
	 * @return the open file
	 * @throws IOException if it cannot be opened
	 */
	static DatabaseFile open(Path path) throws IOException {
		return new DatabaseFile(path, FileChannel.open(path, StandardOpenOption.READ));
	}

	/**
	 * The current size of the file.
	 * @return the size in bytes
	 * @throws IOException if it cannot be read
	 */
	long size() throws IOException {
		return this.channel.size();
	}

	/**
	 * A stream over the file's bytes from the start to its size at the time of the call.
	 * Reads are positional, so the shared descriptor is never moved or closed by the stream.
	 * @return the stream
	 * @throws IOException if the size cannot be read
	 */
	InputStream newInputStream() throws IOException {
		long end = this.channel.size();
		return new InputStream() {

			private long position;

			@Override
			public int read() throws IOException {
				byte[] one = new byte[1];
				return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
			}

			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				if (this.position >= end) {
					return -1;
				}
				int wanted = (int) Math.min(len, end - this.position);
				int n = DatabaseFile.this.channel.read(ByteBuffer.wrap(b, off, wanted), this.position);
				if (n < 0) {
					return -1;
				}
				this.position += n;
				return n;
			}

		};
	}

	/**
	 * A CRC-32C of the whole file, streamed.
	 * @return the checksum
	 * @throws IOException if the file cannot be read
	 */
	long checksum() throws IOException {
		CRC32C crc = new CRC32C();
		byte[] buffer = new byte[64 * 1024];
		try (InputStream in = newInputStream()) {
			int n;
			while ((n = in.read(buffer)) > 0) {
				crc.update(buffer, 0, n);
			}
		}
		return crc.getValue();
	}

	@Override
	public void close() throws IOException {
		this.channel.close();
	}

}
