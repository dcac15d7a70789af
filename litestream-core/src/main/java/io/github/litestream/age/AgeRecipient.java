package io.github.litestream.age;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;

/**
 * An age X25519 recipient: a public key written {@code age1…}. Encrypting to it adds one
 * {@code -> X25519} stanza to a file's header.
 */
public final class AgeRecipient {

	static final String HRP = "age";

	static final String STANZA_TYPE = "X25519";

	static final String WRAP_INFO = "age-encryption.org/v1/X25519";

	private final byte[] publicKey;

	AgeRecipient(byte[] publicKey) {
		this.publicKey = publicKey.clone();
	}

	/**
	 * Parses a recipient.
	 * @param text the public key, {@code age1…}, as {@code age-keygen} prints it
	 * @return the recipient
	 * @throws IllegalArgumentException if it is not an X25519 recipient; the message says why
	 */
	public static AgeRecipient parse(String text) {
		String trimmed = text.trim();
		// Never echo what could be a secret key pasted in the wrong place.
		String shown = trimmed.startsWith(HRP + "1") ? "'" + trimmed + "'" : "the value";
		Bech32.Decoded decoded;
		try {
			decoded = Bech32.decode(trimmed);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(shown + " is not an age recipient: it " + ex.getMessage());
		}
		if (decoded.hrp().startsWith(AgeIdentity.HRP)) {
			throw new IllegalArgumentException(shown + " is a secret identity (AGE-SECRET-KEY-1…), not a public "
					+ "recipient; use its public key, which age-keygen -y prints");
		}
		if (!decoded.hrp().equals(HRP)) {
			throw new IllegalArgumentException(
					shown + " is not an age recipient: only X25519 recipients (age1…) are supported");
		}
		if (decoded.data().length != 32) {
			throw new IllegalArgumentException(shown + " is not an age recipient: it holds " + decoded.data().length
					+ " bytes instead of a 32-byte X25519 key");
		}
		return new AgeRecipient(decoded.data());
	}

	/**
	 * Parses recipients written one per line, as age reads a recipients file: blank lines and
	 * {@code #} comments are ignored.
	 * @param content the lines
	 * @return the recipients, in order
	 * @throws IllegalArgumentException if a line is not a recipient (the message gives its
	 * number) or there is none
	 */
	public static List<AgeRecipient> parseLines(String content) {
		return KeyLines.parse(content, AgeRecipient::parse, "it holds no recipient (age1… line)");
	}

	/** Wraps a file key for this recipient with a fresh ephemeral key. */
	Stanza wrap(byte[] fileKey) {
		byte[] ephemeral = Primitives.random(32);
		try {
			byte[] share = Primitives.x25519Base(ephemeral);
			byte[] shared = Primitives.x25519(ephemeral, this.publicKey);
			byte[] wrapKey = Primitives.hkdf(shared, concat(share, this.publicKey), WRAP_INFO);
			byte[] body = Primitives.sealWithZeroNonce(wrapKey, fileKey);
			return new Stanza(STANZA_TYPE, List.of(AgeHeader.base64(share)), body);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot encrypt to " + this + ": " + ex.getMessage(), ex);
		}
		finally {
			Primitives.wipe(ephemeral);
		}
	}

	byte[] publicKey() {
		return this.publicKey.clone();
	}

	static byte[] concat(byte[] a, byte[] b) {
		byte[] both = Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, both, a.length, b.length);
		return both;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof AgeRecipient recipient && Arrays.equals(this.publicKey, recipient.publicKey);
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(this.publicKey);
	}

	/**
	 * The recipient as {@code age-keygen} prints it.
	 * @return {@code age1…}
	 */
	@Override
	public String toString() {
		return Bech32.encode(HRP, this.publicKey);
	}

}
