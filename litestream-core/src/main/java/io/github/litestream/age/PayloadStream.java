package io.github.litestream.age;

import java.io.IOException;
import java.security.GeneralSecurityException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * The STREAM construction of an age payload: 64 KiB chunks, each sealed with
 * ChaCha20-Poly1305 under the payload key and a nonce of an 11-byte big-endian chunk counter
 * and a last-chunk flag. Sealing goes in order through one instance; opening takes the chunk's
 * counter, so that the chunks of one file can be opened on several threads, each with its own
 * {@link Cipher}, or straight from a whole file's array.
 */
final class PayloadStream {

	static final int CHUNK_SIZE = 64 * 1024;

	static final int TAG_SIZE = 16;

	static final int ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;

	static final int NONCE_SIZE = 16;

	/**
	 * The sealing cipher, made on first use: a restore opens a stream per object and seals
	 * nothing, so making it up front cost one cipher per object.
	 */
	private @Nullable Cipher sealing;

	private final SecretKeySpec key;

	private long counter;

	PayloadStream(byte[] fileKey, byte[] payloadNonce) {
		this.key = new SecretKeySpec(Primitives.hkdf(fileKey, payloadNonce, "payload"), "ChaCha20");
	}

	/** Seals the next chunk; returns the number of bytes written to {@code out}. */
	int seal(byte[] in, int length, boolean last, byte[] out) throws GeneralSecurityException {
		if (this.sealing == null) {
			this.sealing = Primitives.chaCha20Poly1305();
		}
		this.sealing.init(Cipher.ENCRYPT_MODE, this.key, nonce(this.counter, last));
		int sealed = this.sealing.doFinal(in, 0, length, out, 0);
		this.counter++;
		return sealed;
	}

	/**
	 * Opens chunk number {@code counter}, {@code in[offset, offset + length)}, into {@code out}
	 * at {@code outOffset}, and says whether it was the last. A chunk shorter than a full one
	 * must be the last; a full one is not, unless its tag says so (a payload that is a whole
	 * number of chunks ends with a full final chunk): the flag decides, not the end of the
	 * file, which the caller checks. Safe to call from several threads at once, each with its
	 * own cipher.
	 * @param cipher a ChaCha20-Poly1305 cipher that no other thread uses meanwhile
	 * @throws AgeException if it is not authentic (altered, reordered, or the flag is wrong)
	 * @throws IOException if the JVM's cipher failed
	 */
	Opened open(Cipher cipher, long counter, byte[] in, int offset, int length, byte[] out, int outOffset)
			throws IOException {
		boolean last = length < ENCRYPTED_CHUNK_SIZE;
		try {
			return new Opened(open(cipher, counter, in, offset, length, last, out, outOffset), last);
		}
		catch (AEADBadTagException ex) {
			if (last) {
				throw AgeDecryptingInputStream.notAuthentic(counter);
			}
			try {
				return new Opened(open(cipher, counter, in, offset, length, true, out, outOffset), true);
			}
			catch (AEADBadTagException again) {
				throw AgeDecryptingInputStream.notAuthentic(counter);
			}
			catch (GeneralSecurityException again) {
				throw providerFailure(counter, again);
			}
		}
		catch (GeneralSecurityException ex) {
			throw providerFailure(counter, ex);
		}
	}

	private int open(Cipher cipher, long counter, byte[] in, int offset, int length, boolean last, byte[] out,
			int outOffset) throws GeneralSecurityException {
		cipher.init(Cipher.DECRYPT_MODE, this.key, nonce(counter, last));
		return cipher.doFinal(in, offset, length, out, outOffset);
	}

	/**
	 * Not the file's fault: a restore must not take the object for damaged (and fall back to an
	 * older point) because the JVM's cipher failed.
	 */
	private static IOException providerFailure(long counter, GeneralSecurityException ex) {
		return new IOException("The JVM's ChaCha20-Poly1305 failed on chunk " + counter + " of an age payload (" + ex
				+ "); the file was not checked", ex);
	}

	private static IvParameterSpec nonce(long counter, boolean last) {
		byte[] nonce = new byte[12];
		long n = counter;
		for (int i = 10; i >= 3; i--) {
			nonce[i] = (byte) n;
			n >>>= 8;
		}
		nonce[11] = (byte) (last ? 1 : 0);
		return new IvParameterSpec(nonce);
	}

	/** An opened chunk: its plaintext length and whether its flag marked it the last. */
	record Opened(int length, boolean last) {
	}

}
