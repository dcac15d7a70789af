package io.github.litestream.age;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;

/**
 * Yields the age encryption of another stream as it is read (header, payload nonce, then
 * 64 KiB chunks), so an upload can stream a snapshot of any size with about 130 KiB of
 * buffers. It reads one byte past each full chunk to know whether that chunk is the last.
 * Closing it closes the source.
 */
final class AgeEncryptingInputStream extends InputStream {

	private final InputStream source;

	private final PayloadStream stream;

	private final byte[] plain = new byte[PayloadStream.CHUNK_SIZE];

	private byte[] out;

	private int outStart;

	private int outEnd;

	private int lookahead = -1;

	private boolean finished;

	AgeEncryptingInputStream(InputStream source, byte[] header, byte[] fileKey) {
		this.source = source;
		byte[] nonce = Primitives.random(PayloadStream.NONCE_SIZE);
		this.stream = new PayloadStream(fileKey, nonce);
		this.out = new byte[Math.max(header.length + nonce.length, PayloadStream.ENCRYPTED_CHUNK_SIZE)];
		System.arraycopy(header, 0, this.out, 0, header.length);
		System.arraycopy(nonce, 0, this.out, header.length, nonce.length);
		this.outEnd = header.length + nonce.length;
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
		if (this.outStart == this.outEnd) {
			if (this.finished) {
				return -1;
			}
			nextChunk();
		}
		int n = Math.min(len, this.outEnd - this.outStart);
		System.arraycopy(this.out, this.outStart, b, off, n);
		this.outStart += n;
		return n;
	}

	private void nextChunk() throws IOException {
		int length = 0;
		if (this.lookahead >= 0) {
			this.plain[length++] = (byte) this.lookahead;
			this.lookahead = -1;
		}
		length += this.source.readNBytes(this.plain, length, this.plain.length - length);
		boolean last = length < this.plain.length;
		if (!last) {
			this.lookahead = this.source.read();
			last = this.lookahead < 0;
		}
		try {
			this.outEnd = this.stream.seal(this.plain, length, last, this.out);
		}
		catch (GeneralSecurityException ex) {
			throw new IOException("Cannot encrypt with ChaCha20-Poly1305: " + ex.getMessage(), ex);
		}
		this.outStart = 0;
		this.finished = last;
	}

	@Override
	public void close() throws IOException {
		this.source.close();
	}

}
