package io.github.litestream.age;

import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The STREAM construction of an age payload: 64 KiB chunks, each sealed with
 * ChaCha20-Poly1305 under the payload key and a nonce of an 11-byte big-endian chunk counter
 * and a last-chunk flag. One instance seals or opens the chunks of one file, in order.
 */
final class PayloadStream {

	static final int CHUNK_SIZE = 64 * 1024;

	static final int TAG_SIZE = 16;

	static final int ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;

	static final int NONCE_SIZE = 16;

	private final Cipher cipher = Primitives.chaCha20Poly1305();

	private final SecretKeySpec key;

	private final byte[] chunkNonce = new byte[12];

	private long counter;

	PayloadStream(byte[] fileKey, byte[] payloadNonce) {
		this.key = new SecretKeySpec(Primitives.hkdf(fileKey, payloadNonce, "payload"), "ChaCha20");
	}

	/** Seals the next chunk; returns the number of bytes written to {@code out}. */
	int seal(byte[] in, int length, boolean last, byte[] out) throws GeneralSecurityException {
		this.cipher.init(Cipher.ENCRYPT_MODE, this.key, nonce(last));
		int sealed = this.cipher.doFinal(in, 0, length, out, 0);
		this.counter++;
		return sealed;
	}

	/**
	 * Opens the next chunk; returns the number of plaintext bytes written to {@code out}. A
	 * failed attempt does not advance, so the chunk can be tried again with the other flag.
	 * @throws GeneralSecurityException if it is not authentic (altered, reordered, or the flag
	 * is wrong)
	 */
	int open(byte[] in, int length, boolean last, byte[] out) throws GeneralSecurityException {
		this.cipher.init(Cipher.DECRYPT_MODE, this.key, nonce(last));
		int opened = this.cipher.doFinal(in, 0, length, out, 0);
		this.counter++;
		return opened;
	}

	/** The number of chunks sealed or opened so far, which is the next chunk's counter. */
	long chunksDone() {
		return this.counter;
	}

	private IvParameterSpec nonce(boolean last) {
		long n = this.counter;
		for (int i = 10; i >= 3; i--) {
			this.chunkNonce[i] = (byte) n;
			n >>>= 8;
		}
		this.chunkNonce[11] = (byte) (last ? 1 : 0);
		return new IvParameterSpec(this.chunkNonce);
	}

}
