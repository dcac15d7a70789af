package io.github.litestream.age;

/**
 * The exact size of an age file this implementation writes, from the specification's layout:
 * the version line (22 bytes), one X25519 stanza per recipient (98: its argument line and one
 * body line), the MAC line (48), the payload nonce (16), and a 16-byte tag per 64 KiB chunk
 * (an empty plaintext still has one chunk).
 */
public final class AgeFileSize {

	private AgeFileSize() {
	}

	public static long of(long plaintext, int recipients) {
		long chunks = Math.max(1, (plaintext + 65535) / 65536);
		return 22 + 98L * recipients + 48 + 16 + plaintext + 16 * chunks;
	}

}
