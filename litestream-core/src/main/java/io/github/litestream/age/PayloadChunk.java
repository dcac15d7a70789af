package io.github.litestream.age;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import org.jspecify.annotations.Nullable;

/**
 * One place in an {@link AgeDecryptingInputStream}'s window: a payload chunk read from the
 * file, the task that opens it (on whichever thread runs it first), and its plaintext. Reused
 * for a later chunk only after the reader has taken this one's result, so a helper never
 * writes a buffer that is being read.
 */
final class PayloadChunk {

	private final PayloadStream stream;

	private @Nullable ChunkBuffers buffers;

	/** The thread that last read into or opened this chunk's buffers. */
	private @Nullable Thread lastUser;

	long counter;

	int length;

	/** Whether the file ends right after this chunk. */
	boolean atEnd;

	/** Opens the chunk; {@code null} when reading it failed. */
	@Nullable FutureTask<PayloadStream.Opened> task;

	private @Nullable IOException readError;

	PayloadChunk(PayloadStream stream) {
		this.stream = stream;
	}

	/** The buffer the next chunk is read into, taken on first use. */
	byte[] encryptedBuffer() {
		if (this.buffers == null) {
			this.buffers = ChunkBuffers.take();
		}
		this.lastUser = Thread.currentThread();
		return this.buffers.encrypted;
	}

	/** The plaintext of the chunk last opened. */
	byte[] plain() {
		return this.buffers.plain;
	}

	/**
	 * Hands the buffers on to the next file read on this thread, if this thread was the last
	 * to use them; the chunk must not be used again.
	 */
	void giveBackBuffers() {
		ChunkBuffers kept = this.buffers;
		this.buffers = null;
		if (kept != null && this.lastUser == Thread.currentThread()) {
			kept.keepAsSpare();
		}
	}

	/** Makes the task for a chunk just read into {@link #encryptedBuffer()}. */
	void prepare(long counter, int length, boolean atEnd) {
		this.counter = counter;
		this.length = length;
		this.atEnd = atEnd;
		this.readError = null;
		this.task = new FutureTask<>(this::open);
	}

	/** Records that the chunk with this counter could not be read, to be reported in its turn. */
	void failed(long counter, IOException error) {
		this.counter = counter;
		this.atEnd = true;
		this.readError = error;
		this.task = null;
	}

	/**
	 * The result, once the task has run or is running elsewhere (then this waits for it).
	 * @throws IOException an {@link AgeException} if the chunk is not authentic; another if it could
	 * not be read or the cipher failed
	 */
	PayloadStream.Opened opened() throws IOException {
		if (this.readError != null) {
			throw this.readError;
		}
		if (this.task == null) {
			throw new IllegalStateException("The chunk was not read");
		}
		try {
			return this.task.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while decrypting an age payload");
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof IOException io) {
				throw io;
			}
			throw new IllegalStateException("Cannot decrypt an age payload chunk: " + ex.getCause(), ex.getCause());
		}
	}

	void cancel() {
		if (this.task != null) {
			this.task.cancel(false);
		}
	}

	private PayloadStream.Opened open() throws IOException {
		ChunkBuffers buffers = this.buffers;
		this.lastUser = Thread.currentThread();
		return this.stream.open(buffers.cipher, this.counter, buffers.encrypted, 0, this.length, buffers.plain, 0);
	}

}
