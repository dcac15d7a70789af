package io.github.litestream.age;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * Yields the plaintext of an age payload as it is read, one authenticated 64 KiB chunk at a
 * time: no byte is released before its chunk's tag was verified, and the end of the stream is
 * only reported after a valid final chunk, so a truncated file is an error, never a short
 * result. Closing it closes the source.
 *
 * <p>Chunks are independent (each has its own nonce: its counter and the last-chunk flag), so
 * with helper threads this reads up to a window of chunks ahead, hands each to a helper to
 * decrypt, and releases them strictly in order. The reading thread never just waits: if the
 * chunk it needs has not been started, it decrypts it itself, and while a helper finishes it,
 * it decrypts the next unstarted ones. Every check happens in order as without helpers (a
 * chunk's flag, what follows the final chunk, a missing final chunk), and an error surfaces
 * only after the authentic plaintext before it was released. Memory: two 64 KiB buffers per
 * chunk in the window.
 */
final class AgeDecryptingInputStream extends InputStream {

	private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

	/**
	 * The most {@link #readAllBytes()} allocates before any chunk was authenticated: a source
	 * that claims more (a corrupt object, a wrapper's wrong {@code available()}) grows the
	 * array by doubling as real plaintext arrives.
	 */
	private static final int MAX_FIRST_ARRAY = 16 << 20;

	private final InputStream source;

	private final PayloadStream stream;

	private final @Nullable Executor helpers;

	/** The chunks read ahead, each at its counter modulo the length. */
	private final PayloadChunk[] window;

	/** The counter of the next chunk to read from the source. */
	private long readCount;

	/** The counter of the chunk being released (or, before the first, of the next one). */
	private long released;

	private @Nullable PayloadChunk current;

	private int plainStart;

	private int plainEnd;

	/** A byte read past a full chunk to learn whether it was the last one, or -1. */
	private int lookahead = -1;

	/** Whether nothing more is read from the source: its end was seen, or reading it failed. */
	private boolean sourceDone;

	private boolean finished;

	private boolean closed;

	/** What the next read throws, after the authentic plaintext before it was released. */
	private @Nullable AgeException pendingError;

	/**
	 * @param helpers threads that decrypt chunks ahead, or {@code null} to decrypt each chunk
	 * on the reading thread when it is needed
	 * @param windowChunks how many chunks may be read ahead; 1 without helpers
	 */
	AgeDecryptingInputStream(InputStream source, byte[] fileKey, @Nullable Executor helpers, int windowChunks)
			throws IOException {
		this.source = source;
		byte[] nonce = this.source.readNBytes(PayloadStream.NONCE_SIZE);
		if (nonce.length != PayloadStream.NONCE_SIZE) {
			throw missingNonce();
		}
		this.stream = new PayloadStream(fileKey, nonce);
		this.helpers = helpers;
		this.window = new PayloadChunk[(helpers != null) ? Math.max(1, windowChunks) : 1];
		for (int i = 0; i < this.window.length; i++) {
			this.window[i] = new PayloadChunk(this.stream);
		}
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
	}

	@Override
	public int read(byte[] b, int off, int len) throws IOException {
		if (this.closed) {
			throw new IOException("The age stream is closed");
		}
		if (len == 0) {
			return 0;
		}
		while (this.plainStart == this.plainEnd) {
			if (this.finished) {
				return -1;
			}
			nextChunk();
		}
		int n = Math.min(len, this.plainEnd - this.plainStart);
		System.arraycopy(this.current.plain(), this.plainStart, b, off, n);
		this.plainStart += n;
		return n;
	}

	/**
	 * The rest of the plaintext in one array, sized from what the source says is left (its
	 * {@link InputStream#available()}, which a file knows), so that reading a whole small file
	 * copies its plaintext once, where the default reads it in 8 KiB pieces and copies them
	 * again. The same checks apply as to {@link #read(byte[], int, int)}.
	 */
	@Override
	public byte[] readAllBytes() throws IOException {
		if (this.closed) {
			throw new IOException("The age stream is closed");
		}
		byte[] all = new byte[Math.min(MAX_FIRST_ARRAY, expectedPlaintext())];
		int length = 0;
		while (true) {
			while (this.plainStart == this.plainEnd) {
				if (this.finished) {
					return (length == all.length) ? all : Arrays.copyOf(all, length);
				}
				nextChunk();
			}
			int n = this.plainEnd - this.plainStart;
			if (all.length - length < n) {
				if ((long) length + n > MAX_ARRAY_LENGTH) {
					// What InputStream.readAllBytes promises past the largest array.
					throw new OutOfMemoryError("The plaintext is too large for one array");
				}
				all = Arrays.copyOf(all, (int) Math.min(MAX_ARRAY_LENGTH, Math.max(2L * all.length, (long) length + n)));
			}
			System.arraycopy(this.current.plain(), this.plainStart, all, length, n);
			length += n;
			this.plainStart = this.plainEnd;
		}
	}

	/** The plaintext left, if the source's {@code available()} counts all its bytes. */
	private int expectedPlaintext() throws IOException {
		long encrypted = Math.max(0, this.source.available()) + ((this.lookahead >= 0) ? 1 : 0);
		for (long counter = this.released + ((this.current != null) ? 1 : 0); counter < this.readCount; counter++) {
			encrypted += Math.max(0, chunk(counter).length);
		}
		long chunks = (encrypted + PayloadStream.ENCRYPTED_CHUNK_SIZE - 1) / PayloadStream.ENCRYPTED_CHUNK_SIZE;
		long plain = (this.plainEnd - this.plainStart) + Math.max(0, encrypted - chunks * PayloadStream.TAG_SIZE);
		return (int) Math.min(MAX_ARRAY_LENGTH, plain);
	}

	private void nextChunk() throws IOException {
		if (this.pendingError != null) {
			throw this.pendingError;
		}
		if (this.current != null) {
			this.current = null;
			this.released++;
		}
		readAhead();
		PayloadChunk chunk = chunk(this.released);
		PayloadStream.Opened opened = awaitOpened(chunk);
		boolean last = opened.last();
		if (last && opened.length() == 0 && chunk.counter > 0) {
			throw payloadError("its final chunk is empty");
		}
		if (last && !chunk.atEnd) {
			this.pendingError = payloadError("bytes follow its final chunk");
		}
		else if (!last && chunk.atEnd) {
			this.pendingError = payloadError("it ends without a final chunk (truncated)");
		}
		this.current = chunk;
		this.plainStart = 0;
		this.plainEnd = opened.length();
		this.finished = last && chunk.atEnd;
	}

	/** Reads chunks from the source into the window's free places and hands them to the helpers. */
	private void readAhead() {
		while (!this.sourceDone && this.readCount - this.released < this.window.length) {
			PayloadChunk chunk = chunk(this.readCount);
			try {
				readInto(chunk);
			}
			catch (IOException ex) {
				// Reported in turn, after the chunks before it were released.
				chunk.failed(this.readCount, ex);
				this.sourceDone = true;
			}
			this.readCount++;
			if (this.helpers != null && chunk.task != null) {
				try {
					this.helpers.execute(chunk.task);
				}
				catch (RejectedExecutionException ex) {
					// The reading thread decrypts it when its turn comes.
				}
			}
		}
	}

	private void readInto(PayloadChunk chunk) throws IOException {
		byte[] encrypted = chunk.encryptedBuffer();
		int length = 0;
		if (this.lookahead >= 0) {
			encrypted[length++] = (byte) this.lookahead;
			this.lookahead = -1;
		}
		length += this.source.readNBytes(encrypted, length, encrypted.length - length);
		boolean atEnd = length < encrypted.length;
		if (!atEnd) {
			this.lookahead = this.source.read();
			atEnd = this.lookahead < 0;
		}
		this.sourceDone = atEnd;
		if (length < PayloadStream.TAG_SIZE) {
			chunk.failed(this.readCount,
					payloadError((length == 0) ? "it has no final chunk (truncated)" : "its last chunk is truncated"));
			this.sourceDone = true;
			return;
		}
		chunk.prepare(this.readCount, length, atEnd);
	}

	/**
	 * Waits for a chunk's plaintext, decrypting it here if no helper has started it, and the
	 * chunks after it while a helper finishes it.
	 */
	private PayloadStream.Opened awaitOpened(PayloadChunk chunk) throws IOException {
		if (chunk.task != null) {
			chunk.task.run();
			for (long next = chunk.counter + 1; next < this.readCount && !chunk.task.isDone(); next++) {
				PayloadChunk later = chunk(next);
				if (later.task != null) {
					later.task.run();
				}
			}
		}
		return chunk.opened();
	}

	private PayloadChunk chunk(long counter) {
		return this.window[(int) (counter % this.window.length)];
	}

	static AgeException missingNonce() {
		return new AgeException(AgeException.Kind.HEADER, "The age file ends before its payload nonce");
	}

	static AgeException notAuthentic(long chunk) {
		return payloadError("chunk " + chunk + " is not authentic (the file was altered or truncated)");
	}

	static AgeException payloadError(String reason) {
		return new AgeException(AgeException.Kind.PAYLOAD, "Cannot decrypt the age payload: " + reason);
	}

	/**
	 * Stops the helpers' work on this stream (what they have started, they finish) and closes the
	 * source. Like reading, closing belongs to one thread at a time: not while another thread
	 * reads.
	 */
	@Override
	public void close() throws IOException {
		this.closed = true;
		this.sourceDone = true;
		try {
			for (PayloadChunk chunk : this.window) {
				chunk.cancel();
				if (this.helpers == null) {
					// Without helpers only the reading thread ever touched the buffers.
					chunk.giveBackBuffers();
				}
			}
		}
		finally {
			this.source.close();
		}
	}

}
