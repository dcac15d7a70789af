package io.github.litestream.replica.file;

import java.io.ByteArrayInputStream;

/**
 * A small file read into memory when it was opened. Reading it whole hands over the array it
 * was read into rather than a copy: a restore reads thousands of segments whole, and a copy of
 * each would double the garbage a fresh JVM has to collect.
 */
final class LoadedFileStream extends ByteArrayInputStream {

	LoadedFileStream(byte[] content) {
		super(content);
	}

	@Override
	public synchronized byte[] readAllBytes() {
		if (this.pos == 0 && this.count == this.buf.length) {
			byte[] all = this.buf;
			this.buf = new byte[0];
			this.pos = 0;
			this.count = 0;
			this.mark = 0;
			return all;
		}
		return super.readAllBytes();
	}

}
