package io.github.litestream.age;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives age is made of: X25519 (RFC 7748) and ChaCha20-Poly1305 (RFC 8439) from the
 * {@link CryptoProvider} chosen for this JVM, HKDF-SHA-256 (RFC 5869) from the JDK's HMAC.
 * Nothing here is new cryptography: only the byte layouts the JCA's APIs want.
 */
final class Primitives {

	static final SecureRandom RANDOM = new SecureRandom();

	private static final byte[] BASE_POINT = new byte[32];

	private static final byte[] ZERO_KEY = new byte[32];

	/**
	 * One HMAC and one opening cipher per thread: every file's header needs four HMACs and
	 * a stanza to open (and a whole file held in memory its payload's chunks), and new
	 * instances cost more than the computations. Each is used within
	 * one call, from init to result, so no two uses overlap, and is then given a zero key, so
	 * that a thread does not keep the last file's keys.
	 */
	private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(Primitives::newHmacSha256);

	private static final ThreadLocal<Cipher> OPENING_CIPHER = ThreadLocal.withInitial(Primitives::chaCha20Poly1305);

	/** DER of an X25519 PrivateKeyInfo (RFC 8410) up to the 32 bytes of the scalar. */
	private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b656e04220420");

	/** DER of an X25519 SubjectPublicKeyInfo (RFC 8410) up to the 32 bytes of the u-coordinate. */
	private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b656e032100");

	static {
		BASE_POINT[0] = 9;
	}

	private Primitives() {
	}

	static byte[] random(int length) {
		byte[] bytes = new byte[length];
		RANDOM.nextBytes(bytes);
		return bytes;
	}

	/**
	 * X25519 of a scalar and a point's u-coordinate, both as the RFC's 32 little-endian bytes.
	 * @throws GeneralSecurityException if the result is all zero (a low-order point)
	 */
	static byte[] x25519(byte[] scalar, byte[] u) throws GeneralSecurityException {
		return x25519(x25519PrivateKey(scalar), u);
	}

	/**
	 * X25519 of a private key made by {@link #x25519PrivateKey(byte[])} and a point's
	 * u-coordinate (32 little-endian bytes).
	 * @throws GeneralSecurityException if the result is all zero (a low-order point)
	 */
	static byte[] x25519(PrivateKey privateKey, byte[] u) throws GeneralSecurityException {
		return x25519(CryptoProvider.get(), privateKey, u);
	}

	static byte[] x25519(CryptoProvider provider, PrivateKey privateKey, byte[] u) throws GeneralSecurityException {
		byte[] point = u.clone();
		// RFC 7748 section 5: the most significant bit of the final byte is ignored.
		point[31] &= 0x7f;
		PublicKey publicKey = provider.x25519KeyFactory()
			.generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, point)));
		KeyAgreement agreement = provider.x25519Agreement();
		agreement.init(privateKey);
		// Both providers refuse a low-order point themselves (the JDK in doPhase, Conscrypt as
		// an InvalidKeyException); the check below does not rely on it.
		agreement.doPhase(publicKey, true);
		byte[] shared = agreement.generateSecret();
		if (isZero(shared)) {
			throw new GeneralSecurityException("X25519 gave the all-zero shared secret of a low-order point");
		}
		return shared;
	}

	/**
	 * The provider's key object for an X25519 scalar (32 little-endian bytes), made once per
	 * identity. Made from its PKCS#8 encoding: Conscrypt does not take an XECPrivateKeySpec.
	 */
	static PrivateKey x25519PrivateKey(byte[] scalar) throws GeneralSecurityException {
		return x25519PrivateKey(CryptoProvider.get(), scalar);
	}

	static PrivateKey x25519PrivateKey(CryptoProvider provider, byte[] scalar) throws GeneralSecurityException {
		byte[] encoded = concat(PKCS8_PREFIX, scalar);
		try {
			return provider.x25519KeyFactory().generatePrivate(new PKCS8EncodedKeySpec(encoded));
		}
		finally {
			wipe(encoded);
		}
	}

	/** The public u-coordinate of a scalar: X25519 with the base point. */
	static byte[] x25519Base(byte[] scalar) throws GeneralSecurityException {
		return x25519(scalar, BASE_POINT);
	}

	private static byte[] concat(byte[] prefix, byte[] key) {
		byte[] both = Arrays.copyOf(prefix, prefix.length + key.length);
		System.arraycopy(key, 0, both, prefix.length, key.length);
		return both;
	}

	private static boolean isZero(byte[] bytes) {
		int any = 0;
		for (byte b : bytes) {
			any |= b;
		}
		return any == 0;
	}

	/** HKDF-SHA-256 with 32 bytes of output, the only length age uses. */
	static byte[] hkdf(byte[] ikm, byte[] salt, String info) {
		try {
			Mac mac = HMAC_SHA256.get();
			// An empty salt is HashLen zero bytes (RFC 5869 section 2.2); HMAC pads either the same.
			mac.init(new SecretKeySpec((salt.length > 0) ? salt : ZERO_KEY, "HmacSHA256"));
			byte[] prk = mac.doFinal(ikm);
			try {
				mac.init(new SecretKeySpec(prk, "HmacSHA256"));
				mac.update(info.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
				mac.update((byte) 1);
				return mac.doFinal();
			}
			finally {
				wipe(prk);
				mac.init(new SecretKeySpec(ZERO_KEY, "HmacSHA256"));
			}
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HMAC-SHA-256 refused a key", ex);
		}
	}

	static byte[] hmac(byte[] key, byte[] data, int length) {
		try {
			Mac mac = HMAC_SHA256.get();
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			mac.update(data, 0, length);
			byte[] result = mac.doFinal();
			mac.init(new SecretKeySpec(ZERO_KEY, "HmacSHA256"));
			return result;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HMAC-SHA-256 refused a key", ex);
		}
	}

	private static Mac newHmacSha256() {
		try {
			return Mac.getInstance("HmacSHA256");
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("The JDK lacks HMAC-SHA-256", ex);
		}
	}

	/** A new ChaCha20-Poly1305 cipher of the chosen provider, for one thread at a time. */
	static Cipher chaCha20Poly1305() {
		CryptoProvider provider = CryptoProvider.get();
		try {
			return provider.chaCha20Poly1305();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("No ChaCha20-Poly1305 in " + provider.description(), ex);
		}
	}

	/**
	 * The thread's opening cipher, for one call from init to result; the caller then
	 * {@linkplain #forget(Cipher) gives it a zero key}.
	 */
	static Cipher openingCipher() {
		return OPENING_CIPHER.get();
	}

	/** Encrypts with a fresh cipher under the all-zero nonce, as stanza bodies are. */
	static byte[] sealWithZeroNonce(byte[] key, byte[] plaintext) throws GeneralSecurityException {
		Cipher cipher = chaCha20Poly1305();
		cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(new byte[12]));
		return cipher.doFinal(plaintext);
	}

	/** Decrypts under the all-zero nonce; fails with an AEADBadTagException for a wrong key. */
	static byte[] openWithZeroNonce(byte[] key, byte[] ciphertext) throws GeneralSecurityException {
		// Sealing takes a new cipher every time: the JDK's refuses to encrypt twice under one
		// key and nonce, and sealing is not the hot path.
		Cipher cipher = OPENING_CIPHER.get();
		cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(new byte[12]));
		try {
			return cipher.doFinal(ciphertext);
		}
		finally {
			forget(cipher);
		}
	}

	/**
	 * Gives a cipher kept for later use a zero key in place of the last one. The nonce is
	 * arbitrary but new, because the JDK's cipher refuses to be initialized twice in a row with
	 * the same key and nonce.
	 */
	static void forget(Cipher cipher) {
		byte[] nonce = new byte[12];
		ThreadLocalRandom.current().nextBytes(nonce);
		try {
			cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(ZERO_KEY, "ChaCha20"), new IvParameterSpec(nonce));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("ChaCha20-Poly1305 refused the zero key", ex);
		}
	}

	static boolean constantTimeEquals(byte[] a, byte[] b) {
		return java.security.MessageDigest.isEqual(a, b);
	}

	static void wipe(byte[] secret) {
		Arrays.fill(secret, (byte) 0);
	}

}
