package io.github.litestream.age;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.List;
import java.util.Optional;

import javax.crypto.AEADBadTagException;

/**
 * An age X25519 identity: a secret key written {@code AGE-SECRET-KEY-1…}. It unwraps the file
 * key from {@code -> X25519} stanzas addressed to its {@link #recipient()}. {@link #toString()}
 * shows only the public recipient.
 */
public final class AgeIdentity {

	static final String HRP = "age-secret-key-";

	/** The chosen provider's key object, made once rather than for every object decrypted. */
	private final PrivateKey privateKey;

	private final AgeRecipient recipient;

	private AgeIdentity(byte[] secretKey) throws GeneralSecurityException {
		this.privateKey = Primitives.x25519PrivateKey(secretKey);
		this.recipient = new AgeRecipient(Primitives.x25519Base(secretKey));
	}

	/**
	 * Parses an identity.
	 * @param text the secret key, {@code AGE-SECRET-KEY-1…}
	 * @return the identity
	 * @throws IllegalArgumentException if it is not an X25519 identity; the message never
	 * contains the key
	 */
	public static AgeIdentity parse(String text) {
		Bech32.Decoded decoded;
		try {
			decoded = Bech32.decode(text.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("the value is not an age identity: it " + ex.getMessage());
		}
		if (!decoded.hrp().equals(HRP)) {
			String hint = decoded.hrp().equals(AgeRecipient.HRP) ? " (" + text.trim() + " is a public recipient)"
					: " (only X25519 identities, AGE-SECRET-KEY-1…, are supported)";
			throw new IllegalArgumentException("the value is not an age identity" + hint);
		}
		if (decoded.data().length != 32) {
			throw new IllegalArgumentException("the value is not an age identity: it holds " + decoded.data().length
					+ " bytes instead of a 32-byte X25519 key");
		}
		try {
			return new AgeIdentity(decoded.data());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalArgumentException("the value is not a usable X25519 key");
		}
		finally {
			Primitives.wipe(decoded.data());
		}
	}

	/**
	 * Makes a new random identity, as {@code age-keygen} does.
	 * @return the identity
	 */
	public static AgeIdentity generate() {
		byte[] secret = Primitives.random(32);
		try {
			return new AgeIdentity(secret);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot compute X25519: " + ex.getMessage(), ex);
		}
		finally {
			Primitives.wipe(secret);
		}
	}

	/**
	 * Parses an identity file as {@code age-keygen} writes it: one identity per line, blank
	 * lines and {@code #} comments ignored.
	 * @param content the file's content
	 * @return its identities
	 * @throws IllegalArgumentException if a line is not an identity (the message gives its
	 * number, never its content) or the file has none
	 */
	public static List<AgeIdentity> parseFile(String content) {
		String unsupported = unsupportedFormat(content);
		if (unsupported != null) {
			throw new IllegalArgumentException(unsupported);
		}
		return KeyLines.parse(content, AgeIdentity::parse, "it holds no identity (AGE-SECRET-KEY-1… line)");
	}

	/**
	 * What else an identity file may be, named so that the fix is clear (the line-by-line
	 * parse would only say that a line is not a key).
	 */
	private static String unsupportedFormat(String content) {
		String start = content.stripLeading();
		if (start.startsWith("age-encryption.org/v1") || start.startsWith("-----BEGIN AGE ENCRYPTED FILE-----")) {
			return "it is an encrypted age file (a passphrase-protected identity file?), which is not supported: "
					+ "decrypt it (age -d -o identity.txt file.age) and give the decrypted identities";
		}
		if (start.startsWith("-----BEGIN") || start.startsWith("ssh-") || start.startsWith("AGE-PLUGIN-")) {
			return "it holds an SSH or plugin key, which is not supported: give X25519 identities made by age-keygen "
					+ "(AGE-SECRET-KEY-1... lines)";
		}
		return null;
	}

	/**
	 * Unwraps the file key from a stanza if it is addressed to this identity.
	 * @return the file key, or empty if the stanza is for another recipient or type
	 * @throws AgeException of kind {@code HEADER} if an X25519 stanza is malformed
	 */
	Optional<byte[]> unwrap(Stanza stanza) throws AgeException {
		if (!stanza.type().equals(AgeRecipient.STANZA_TYPE)) {
			return Optional.empty();
		}
		byte[] share = share(stanza);
		try {
			byte[] shared = Primitives.x25519(this.privateKey, share);
			byte[] salt = AgeRecipient.concat(share, this.recipient.publicKey());
			byte[] wrapKey = Primitives.hkdf(shared, salt, AgeRecipient.WRAP_INFO);
			return Optional.of(Primitives.openWithZeroNonce(wrapKey, stanza.body()));
		}
		catch (AEADBadTagException ex) {
			return Optional.empty();
		}
		catch (GeneralSecurityException ex) {
			throw new AgeException(AgeException.Kind.HEADER,
					"Not a valid age header: an X25519 stanza's share is not usable (" + ex.getMessage() + ")", ex);
		}
	}

	/** The ephemeral share of a well-formed X25519 stanza, checked as the specification asks. */
	static byte[] share(Stanza stanza) throws AgeException {
		if (stanza.args().size() != 1) {
			throw new AgeException(AgeException.Kind.HEADER,
					"Not a valid age header: an X25519 stanza has " + (stanza.args().size() + 1) + " arguments, not 2");
		}
		byte[] share = AgeHeader.base64(stanza.args().get(0));
		if (share.length != 32) {
			throw new AgeException(AgeException.Kind.HEADER,
					"Not a valid age header: an X25519 stanza's share has " + share.length + " bytes, not 32");
		}
		if (stanza.body().length != 32) {
			throw new AgeException(AgeException.Kind.HEADER,
					"Not a valid age header: an X25519 stanza's body has " + stanza.body().length + " bytes, not 32");
		}
		return share;
	}

	/**
	 * The public key of this identity, which can be shown and logged.
	 * @return the recipient
	 */
	public AgeRecipient recipient() {
		return this.recipient;
	}

	/**
	 * Names the identity by its public recipient only.
	 * @return {@code AgeIdentity[recipient=age1…]}
	 */
	@Override
	public String toString() {
		return "AgeIdentity[recipient=" + this.recipient + "]";
	}

}
