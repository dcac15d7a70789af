package io.github.litestream.age;

import java.io.IOException;

import javax.crypto.Cipher;

/**
 * Opens the payload of an age file held whole in memory in one pass: each chunk goes from
 * the file's array straight into one plaintext array, sized from the file's length. A stream
 * instead copies every chunk into its buffer, opens it into another and copies the plaintext
 * out again, which for a restore's thousands of small WAL segments cost as much CPU as a
 * tenth of the decryption itself. The checks and errors are the stream's, in the same order.
 */
final class WholePayload {

	private WholePayload() {
	}

	/**
	 * The plaintext of the payload that starts at {@code start} (after the payload nonce) and
	 * ends with the array.
	 * @throws AgeException if it is not authentic or truncated, or bytes follow its final chunk
	 * @throws IOException if the JVM's cipher failed
	 */
	static byte[] open(PayloadStream stream, byte[] file, int start) throws IOException {
		byte[] plaintext = new byte[plaintextLength(file.length - start)];
		Cipher cipher = Primitives.openingCipher();
		try {
			int at = start;
			int written = 0;
			for (long counter = 0;; counter++) {
				int length = Math.min(PayloadStream.ENCRYPTED_CHUNK_SIZE, file.length - at);
				if (length < PayloadStream.TAG_SIZE) {
					throw AgeDecryptingInputStream
						.payloadError((length == 0) ? "it has no final chunk (truncated)" : "its last chunk is truncated");
				}
				boolean atEnd = at + length == file.length;
				PayloadStream.Opened opened = stream.open(cipher, counter, file, at, length, plaintext, written);
				if (opened.last() && opened.length() == 0 && counter > 0) {
					throw AgeDecryptingInputStream.payloadError("its final chunk is empty");
				}
				if (opened.last() != atEnd) {
					throw AgeDecryptingInputStream.payloadError(
							opened.last() ? "bytes follow its final chunk" : "it ends without a final chunk (truncated)");
				}
				at += length;
				written += opened.length();
				if (atEnd) {
					return plaintext;
				}
			}
		}
		finally {
			Primitives.forget(cipher);
		}
	}

	/**
	 * What the chunks before the last hold in full, and the last piece less its tag: exact for
	 * an intact payload, and room enough for the chunks a damaged one opens before it fails.
	 */
	private static int plaintextLength(int encrypted) {
		if (encrypted == 0) {
			return 0;
		}
		int before = (encrypted - 1) / PayloadStream.ENCRYPTED_CHUNK_SIZE;
		int lastPiece = encrypted - before * PayloadStream.ENCRYPTED_CHUNK_SIZE;
		return before * PayloadStream.CHUNK_SIZE + Math.max(0, lastPiece - PayloadStream.TAG_SIZE);
	}

}
