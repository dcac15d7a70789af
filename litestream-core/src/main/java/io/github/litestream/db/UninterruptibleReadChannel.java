package io.github.litestream.db;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * A read-only {@link FileChannel} that ignores interrupts: its positional reads go through
 * {@link RandomAccessFile}'s own methods. A JDK channel is closed by an interrupt of the thread
 * that uses it ({@code ClosedByInterruptException}), which would fail the engine step reading
 * the WAL, in the middle of a checkpoint possibly, and cost a new generation. Only what the
 * engine needs of the real WAL is supported: positional reads and the size.
 */
final class UninterruptibleReadChannel extends FileChannel {

	private final RandomAccessFile file;

	private UninterruptibleReadChannel(RandomAccessFile file) {
		this.file = file;
	}

	/**
	 * Opens a file for reading.
	 * @param path the file
	 * @return the channel
	 * @throws IOException if it cannot be opened
	 */
	static FileChannel open(Path path) throws IOException {
		return new UninterruptibleReadChannel(new RandomAccessFile(path.toFile(), "r"));
	}

	@Override
	public int read(ByteBuffer dst, long position) throws IOException {
		ensureOpen();
		if (!dst.hasRemaining()) {
			return 0;
		}
		byte[] buffer = dst.hasArray() ? dst.array() : new byte[dst.remaining()];
		int offset = dst.hasArray() ? dst.arrayOffset() + dst.position() : 0;
		int n;
		synchronized (this.file) {
			this.file.seek(position);
			n = this.file.read(buffer, offset, dst.remaining());
		}
		if (n > 0) {
			if (dst.hasArray()) {
				dst.position(dst.position() + n);
			}
			else {
				dst.put(buffer, 0, n);
			}
		}
		return n;
	}

	@Override
	public long size() throws IOException {
		ensureOpen();
		return this.file.length();
	}

	private void ensureOpen() throws IOException {
		if (!isOpen()) {
			throw new ClosedChannelException();
		}
	}

	@Override
	protected void implCloseChannel() throws IOException {
		this.file.close();
	}

	@Override
	public int read(ByteBuffer dst) {
		throw unsupported();
	}

	@Override
	public long read(ByteBuffer[] dsts, int offset, int length) {
		throw unsupported();
	}

	@Override
	public long position() {
		throw unsupported();
	}

	@Override
	public FileChannel position(long newPosition) {
		throw unsupported();
	}

	@Override
	public long transferTo(long position, long count, WritableByteChannel target) {
		throw unsupported();
	}

	@Override
	public MappedByteBuffer map(MapMode mode, long position, long size) {
		throw unsupported();
	}

	@Override
	public int write(ByteBuffer src) {
		throw new NonWritableChannelException();
	}

	@Override
	public long write(ByteBuffer[] srcs, int offset, int length) {
		throw new NonWritableChannelException();
	}

	@Override
	public int write(ByteBuffer src, long position) {
		throw new NonWritableChannelException();
	}

	@Override
	public FileChannel truncate(long size) {
		throw new NonWritableChannelException();
	}

	@Override
	public void force(boolean metaData) throws IOException {
		// Nothing written through it, but the file's pages are SQLite's: fsync them now, so that
		// SQLite's own fsync under the write lock finds little left to write (Backfill).
		this.file.getFD().sync();
	}

	@Override
	public long transferFrom(ReadableByteChannel src, long position, long count) {
		throw new NonWritableChannelException();
	}

	@Override
	public FileLock lock(long position, long size, boolean shared) {
		throw unsupported();
	}

	@Override
	public FileLock tryLock(long position, long size, boolean shared) {
		throw unsupported();
	}

	private static UnsupportedOperationException unsupported() {
		return new UnsupportedOperationException("Only positional reads and the size are supported");
	}

}
