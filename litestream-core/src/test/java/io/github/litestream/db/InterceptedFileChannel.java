package io.github.litestream.db;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A file channel that runs an action after each positional read of the real one: the seam for
 * changing the file, or interrupting the reader, between two reads of the code under test.
 */
final class InterceptedFileChannel extends FileChannel {

	private final FileChannel delegate;

	private final AfterRead afterRead;

	InterceptedFileChannel(FileChannel delegate, AfterRead afterRead) {
		this.delegate = delegate;
		this.afterRead = afterRead;
	}

	@Override
	public int read(ByteBuffer dst, long position) throws IOException {
		int n = this.delegate.read(dst, position);
		this.afterRead.run(position, n);
		return n;
	}

	@Override
	public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
		return this.delegate.transferTo(position, count, target);
	}

	@Override
	public int read(ByteBuffer dst) throws IOException {
		return this.delegate.read(dst);
	}

	@Override
	public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
		return this.delegate.read(dsts, offset, length);
	}

	@Override
	public int write(ByteBuffer src) throws IOException {
		return this.delegate.write(src);
	}

	@Override
	public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
		return this.delegate.write(srcs, offset, length);
	}

	@Override
	public int write(ByteBuffer src, long position) throws IOException {
		return this.delegate.write(src, position);
	}

	@Override
	public long position() throws IOException {
		return this.delegate.position();
	}

	@Override
	public FileChannel position(long newPosition) throws IOException {
		this.delegate.position(newPosition);
		return this;
	}

	@Override
	public long size() throws IOException {
		return this.delegate.size();
	}

	@Override
	public FileChannel truncate(long size) throws IOException {
		this.delegate.truncate(size);
		return this;
	}

	@Override
	public void force(boolean metaData) throws IOException {
		this.delegate.force(metaData);
	}

	@Override
	public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
		return this.delegate.transferFrom(src, position, count);
	}

	@Override
	public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
		return this.delegate.map(mode, position, size);
	}

	@Override
	public FileLock lock(long position, long size, boolean shared) throws IOException {
		return this.delegate.lock(position, size, shared);
	}

	@Override
	public FileLock tryLock(long position, long size, boolean shared) throws IOException {
		return this.delegate.tryLock(position, size, shared);
	}

	@Override
	protected void implCloseChannel() throws IOException {
		this.delegate.close();
	}

	/** What to do after a read. */
	@FunctionalInterface
	interface AfterRead {

		void run(long position, int bytesRead) throws IOException;

	}

}
