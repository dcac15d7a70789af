package io.github.litestream.age;

import java.util.Arrays;

import javax.crypto.Cipher;

/**
 * The two 64 KiB buffers and the cipher a payload chunk is opened with, handed from one small
 * file to the next on the same thread: a restore reads WAL segment after WAL segment on each
 * of its threads, and allocating (and zeroing) 128 KiB per file cost a restore as much CPU as
 * one of its files' key agreements. A thread keeps at most one spare set; buffers go back only
 * from the thread that last used them, so no other thread can still be writing into them.
 */
final class ChunkBuffers {

	private static final ThreadLocal<ChunkBuffers> SPARE = new ThreadLocal<>();

	final byte[] encrypted = new byte[PayloadStream.ENCRYPTED_CHUNK_SIZE];

	final byte[] plain = new byte[PayloadStream.CHUNK_SIZE];

	/** For one thread at a time, as the buffers are. */
	final Cipher cipher = Primitives.chaCha20Poly1305();

	private ChunkBuffers() {
	}

	/** This thread's spare set, or a new one. */
	static ChunkBuffers take() {
		ChunkBuffers spare = SPARE.get();
		if (spare == null) {
			return new ChunkBuffers();
		}
		SPARE.remove();
		return spare;
	}

	/**
	 * Keeps this set as the calling thread's spare; the caller must not touch it again, and
	 * no other thread may be using it. The cipher forgets the file's key, and the last
	 * plaintext is wiped: a thread's spare keeps nothing of the file it last read.
	 */
	void keepAsSpare() {
		Primitives.forget(this.cipher);
		Arrays.fill(this.plain, (byte) 0);
		SPARE.set(this);
	}

}
