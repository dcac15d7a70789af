package io.github.litestream.age;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;

/**
 * Yields the plaintext of an age payload as it is read, one authenticated 64 KiB chunk at a
 * time: no byte is released before its chunk's tag was verified, and the end of the stream is
 * only reported after a valid final chunk, so a truncated file is an error, never a short
 * result. Closing it closes the source.
 */
final class AgeDecryptingInputStream extends InputStream {

	private final InputStream source;

	private final PayloadStream stream;

	private final byte[] encrypted = new byte[PayloadStream.ENCRYPTED_CHUNK_SIZE];

	private final byte[] plain = new byte[PayloadStream.CHUNK_SIZE];

	private int plainStart;

	private int plainEnd;

	/** A byte read past a full chunk to learn whether it was the last one, or -1. */
	private int lookahead = -1;

	private boolean finished;

	/** What the next read throws, after the authentic plaintext before it was released. */
	private AgeException pendingError;

	AgeDecryptingInputStream(InputStream source, byte[] fileKey) throws IOException {
		this.source = source;
		byte[] nonce = this.source.readNBytes(PayloadStream.NONCE_SIZE);
		if (nonce.length != PayloadStream.NONCE_SIZE) {
			throw new AgeException(AgeException.Kind.HEADER, "The age file ends before its payload nonce");
		}
		this.stream = new PayloadStream(fileKey, nonce);
	}

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
		while (this.plainStart == this.plainEnd) {
			if (this.finished) {
				return -1;
			}
			nextChunk();
		}
		int n = Math.min(len, this.plainEnd - this.plainStart);
		System.arraycopy(this.plain, this.plainStart, b, off, n);
		this.plainStart += n;
		return n;
	}

	private void nextChunk() throws IOException {
		if (this.pendingError != null) {
			throw this.pendingError;
		}
		int length = 0;
		if (this.lookahead >= 0) {
			this.encrypted[length++] = (byte) this.lookahead;
			this.lookahead = -1;
		}
		length += this.source.readNBytes(this.encrypted, length, this.encrypted.length - length);
		boolean atEnd = length < this.encrypted.length;
		if (!atEnd) {
			this.lookahead = this.source.read();
			atEnd = this.lookahead < 0;
		}
		if (length < PayloadStream.TAG_SIZE) {
			throw payloadError((length == 0) ? "it has no final chunk (truncated)" : "its last chunk is truncated");
		}
		long chunk = this.stream.chunksDone();
		boolean last = length < this.encrypted.length;
		int plainLength;
		try {
			// A full chunk may be the last one: its flag, not the end of the file, decides, so a
			// truncated or extended file is caught after the authentic chunks were released.
			plainLength = open(length, last);
		}
		catch (GeneralSecurityException ex) {
			if (last) {
				throw notAuthentic(chunk);
			}
			try {
				plainLength = open(length, true);
				last = true;
			}
			catch (GeneralSecurityException again) {
				throw notAuthentic(chunk);
			}
		}
		if (last && plainLength == 0 && chunk > 0) {
			throw payloadError("its final chunk is empty");
		}
		if (last && !atEnd) {
			this.pendingError = payloadError("bytes follow its final chunk");
		}
		else if (!last && atEnd) {
			this.pendingError = payloadError("it ends without a final chunk (truncated)");
		}
		this.plainStart = 0;
		this.plainEnd = plainLength;
		this.finished = last && atEnd;
	}

	private int open(int length, boolean last) throws GeneralSecurityException {
		return this.stream.open(this.encrypted, length, last, this.plain);
	}

	private static AgeException notAuthentic(long chunk) {
		return payloadError("chunk " + chunk + " is not authentic (the file was altered or truncated)");
	}

	private static AgeException payloadError(String reason) {
		return new AgeException(AgeException.Kind.PAYLOAD, "Cannot decrypt the age payload: " + reason);
	}

	@Override
	public void close() throws IOException {
		this.source.close();
	}

}
