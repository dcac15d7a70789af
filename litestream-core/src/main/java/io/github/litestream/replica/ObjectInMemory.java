package io.github.litestream.replica;

import java.io.ByteArrayInputStream;

/**
 * A replica object that a client holds whole in memory (a file replica's small objects).
 * Reading it whole hands over the array it is held in rather than a copy: a restore reads
 * thousands of segments whole, and a copy of each would double the garbage a fresh JVM has to
 * collect. An encrypted replica decrypts such an object whole, in one pass.
 */
public final class ObjectInMemory extends ByteArrayInputStream {

	/**
	 * An object read into memory.
	 * @param content its bytes, all of them, handed over: the caller must not change them
	 */
	public ObjectInMemory(byte[] content) {
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
