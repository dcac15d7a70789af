package io.github.litestream.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.zip.CRC32C;

import org.jspecify.annotations.Nullable;

/**
 * The main database file, read through one descriptor that stays open as long as the engine.
 *
 * <p>POSIX record locks belong to a process, not to a descriptor: closing <em>any</em>
 * descriptor on the database file drops every lock SQLite holds on it in this JVM. Another
 * process could then think it is the last connection, checkpoint and delete the live WAL. So
 * the engine never opens and closes the database file casually: it opens it once, before it
 * needs it, and closes it only when the engine closes (after its own connections).
 *
 * <p>For the same reason it is read with {@link RandomAccessFile}'s own methods, never through
 * a {@link java.nio.channels.FileChannel}: an interrupt closes a channel in use (even
 * {@code RandomAccessFile.getChannel()}'s, which shares the descriptor), while classic file I/O
 * ignores interrupts. Each read moves the shared file pointer, so a seek and its read happen
 * together under the file's monitor; concurrent streams stay independent.
 */
final class DatabaseFile implements AutoCloseable {

	private static final int BUFFER_SIZE = 64 * 1024;

	private final RandomAccessFile file;

	/** The file's identity (device and inode), or {@code null} where the file system has none. */
	private final @Nullable Object key;

	private DatabaseFile(RandomAccessFile file, @Nullable Object key) {
		this.file = file;
		this.key = key;
	}

	/**
	 * Opens the database file for reading.
	 * @param path the database file; must exist
	 * @return the open file
	 * @throws IOException if it cannot be opened
	 */
	static DatabaseFile open(Path path) throws IOException {
		RandomAccessFile file = new RandomAccessFile(path.toFile(), "r");
		try {
			return new DatabaseFile(file, key(path));
		}
		catch (IOException ex) {
			file.close();
			throw ex;
		}
	}

	/**
	 * Whether the file at a path is still this one: not deleted, nor replaced by another file
	 * (a restore by hand, {@code mv}, a new database created where it was).
	 * @param path the database's path
	 * @return {@code false} if it is gone or another file; {@code true} if it is this file, or
	 * the file system cannot tell
	 * @throws IOException if the path cannot be read
	 */
	boolean isAt(Path path) throws IOException {
		if (this.key == null) {
			return true;
		}
		try {
			return this.key.equals(key(path));
		}
		catch (NoSuchFileException ex) {
			return false;
		}
	}

	private static @Nullable Object key(Path path) throws IOException {
		return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
	}

	/**
	 * The current size of the file.
	 * @return the size in bytes
	 * @throws IOException if it cannot be read
	 */
	long size() throws IOException {
		return this.file.length();
	}

	/**
	 * A stream over the file's bytes from the start to its size at the time of the call.
	 * Closing the stream leaves the shared descriptor open.
	 * @return the stream
	 * @throws IOException if the size cannot be read
	 */
	InputStream newInputStream() throws IOException {
		long end = size();
		return new InputStream() {

			private long position;

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
				if (this.position >= end) {
					return -1;
				}
				int n = readAt(this.position, b, off, (int) Math.min(len, end - this.position));
				if (n < 0) {
					return -1;
				}
				this.position += n;
				return n;
			}

		};
	}

	private int readAt(long position, byte[] b, int off, int len) throws IOException {
		synchronized (this.file) {
			this.file.seek(position);
			return this.file.read(b, off, len);
		}
	}

	/**
	 * A CRC-32C of the whole file, streamed.
	 * @return the checksum
	 * @throws IOException if the file cannot be read
	 */
	long checksum() throws IOException {
		CRC32C crc = new CRC32C();
		byte[] buffer = new byte[BUFFER_SIZE];
		try (InputStream in = newInputStream()) {
			int n;
			while ((n = in.read(buffer)) > 0) {
				crc.update(buffer, 0, n);
			}
		}
		return crc.getValue();
	}

	/**
	 * Forces the file's written pages to disk through this descriptor (Linux and macOS sync a
	 * file opened for reading like any other).
	 * @throws IOException if the system refuses
	 */
	void force() throws IOException {
		this.file.getFD().sync();
	}

	@Override
	public void close() throws IOException {
		this.file.close();
	}

}
