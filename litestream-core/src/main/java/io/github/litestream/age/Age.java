package io.github.litestream.age;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encrypts and decrypts streams in the age v1 format, as {@code age -r} and {@code age -d}
 * do, with X25519 recipients and identities. Both directions stream with bounded memory.
 */
public final class Age {

	private static final byte[] MAGIC = (AgeHeader.VERSION_LINE + "\n").getBytes(StandardCharsets.US_ASCII);

	private Age() {
	}

	/**
	 * A stream that yields the age encryption of {@code plaintext} to every recipient (one
	 * stanza each) as it is read. Closing it closes {@code plaintext}.
	 * @param plaintext what to encrypt
	 * @param recipients who can decrypt it; at least one
	 * @return the age file's bytes
	 */
	public static InputStream encrypting(InputStream plaintext, List<AgeRecipient> recipients) {
		if (recipients.isEmpty()) {
			throw new IllegalArgumentException("At least one age recipient is needed to encrypt");
		}
		byte[] fileKey = Primitives.random(16);
		try {
			List<Stanza> stanzas = new ArrayList<>();
			for (AgeRecipient recipient : recipients) {
				stanzas.add(recipient.wrap(fileKey));
			}
			return new AgeEncryptingInputStream(plaintext, AgeHeader.encode(stanzas, fileKey), fileKey);
		}
		finally {
			Primitives.wipe(fileKey);
		}
	}

	/**
	 * Reads an age file's header, unwraps its file key with the first identity that matches a
	 * stanza and checks the header's MAC, then returns a stream of the plaintext. Payload
	 * errors surface while reading. Closing it closes {@code ciphertext}. To decrypt many files
	 * with the same identities, or large ones on several threads, use an {@link AgeKeyring}.
	 * @param ciphertext the age file
	 * @param identities who may decrypt it
	 * @return the plaintext
	 * @throws AgeException if the header is not valid, no identity matches, or the MAC does
	 * not; the message names the recipients tried, never a secret
	 * @throws IOException if {@code ciphertext} cannot be read
	 */
	public static InputStream decrypting(InputStream ciphertext, List<AgeIdentity> identities) throws IOException {
		return new AgeKeyring(identities).decrypting(ciphertext);
	}

	/**
	 * Fails if bytes start like an age file: for readers of objects that should not be
	 * encrypted, so that an encrypted replica read without its keys says so.
	 * @param prefix the first bytes of an object
	 * @throws AgeException of kind {@code NO_MATCH} if they start an age v1 file
	 */
	public static void requireNotEncrypted(byte[] prefix) throws AgeException {
		if (isAgeFile(prefix)) {
			throw new AgeException(AgeException.Kind.NO_MATCH,
					"The object is encrypted with age (age-encryption.org/v1), but no age identity is configured");
		}
	}

	/**
	 * The number of bytes {@link #isAgeFile(byte[])} needs.
	 * @return the length of the age v1 version line
	 */
	public static int magicLength() {
		return MAGIC.length;
	}

	/**
	 * Whether bytes start like an age v1 file.
	 * @param prefix the first bytes of a file (at least 22 to say yes)
	 * @return whether they are the age v1 version line
	 */
	public static boolean isAgeFile(byte[] prefix) {
		return prefix.length >= MAGIC.length && Arrays.equals(prefix, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
	}

	/**
	 * Which provider computes ChaCha20-Poly1305 and X25519 in this JVM, chosen on first use:
	 * Conscrypt when it is on the classpath and usable, else the JDK's (system property
	 * {@code litestream.age.provider}: {@code auto}, {@code conscrypt} or {@code jdk}).
	 * @return the choice and its reason, as logged, such as {@code ChaCha20-Poly1305 and X25519
	 * of Conscrypt 2.9.0 (BoringSSL)}
	 * @throws IllegalStateException if the system property has an unknown value or asks for
	 * Conscrypt where it is not usable
	 */
	public static String cryptoProvider() {
		return CryptoProvider.get().description();
	}

}
