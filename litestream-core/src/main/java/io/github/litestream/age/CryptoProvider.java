package io.github.litestream.age;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.util.Arrays;
import java.util.Locale;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JCA provider of age's ChaCha20-Poly1305 and X25519, chosen once per JVM: Conscrypt
 * (Google's provider on BoringSSL, native code) when it is on the classpath and its native
 * library loads here, else the JDK's own. On JDK 17 Conscrypt decrypts about 8 times and
 * agrees keys about 5 times as fast, which is most of what an encrypted restore costs; HMAC
 * and HKDF stay on the JDK. Conscrypt is asked by name only here and never installed as a
 * JVM-wide provider, so the application's TLS and other cryptography do not change. It is
 * reached by reflection, so that the engine runs without it; and it must agree with the JDK
 * on one key agreement and one sealed message before it is used, so that a native library
 * that loads but misbehaves falls back instead of corrupting restores.
 * <p>
 * The system property {@value #PROPERTY} decides: {@code auto} (the default) as above,
 * {@code jdk} the JDK's always, {@code conscrypt} Conscrypt or an error.
 */
final class CryptoProvider {

	/** The system property that picks the provider. */
	static final String PROPERTY = "litestream.age.provider";

	static final String CONSCRYPT_ARTIFACT = "org.conscrypt:conscrypt-openjdk-uber";

	/** The version the tests run; older ones may lack X25519 (2.5.2, which gRPC brings, does). */
	private static final String TESTED_VERSION = "2.9.0";

	private static final String CONSCRYPT_CLASS = "org.conscrypt.Conscrypt";

	private static final Logger logger = LoggerFactory.getLogger(CryptoProvider.class);

	private static volatile @Nullable CryptoProvider chosen;

	/**
	 * Conscrypt's provider, or {@code null} for the JDK's: the JVM's installed providers, looked
	 * up by algorithm name, so that a JDK configured with other providers (FIPS) keeps them.
	 */
	private final @Nullable Provider provider;

	private final String description;

	/** A provider asked by name for these algorithms; {@code null} for the JDK's, looked up by algorithm. */
	CryptoProvider(@Nullable Provider provider, String description) {
		this.provider = provider;
		this.description = description;
	}

	/**
	 * The provider of this JVM, chosen and logged on first use.
	 * @throws IllegalStateException if {@value #PROPERTY} has an unknown value, or asks for
	 * Conscrypt where it is not usable (the message says why and what to do); asked again, it
	 * fails again rather than falling back
	 */
	static CryptoProvider get() {
		CryptoProvider provider = chosen;
		if (provider == null) {
			synchronized (CryptoProvider.class) {
				provider = chosen;
				if (provider == null) {
					provider = choose(System.getProperty(PROPERTY), CryptoProvider.class.getClassLoader());
					logger.info("age encryption uses {}", provider.description);
					chosen = provider;
				}
			}
		}
		return provider;
	}

	/**
	 * Chooses as {@link #get()} does, for a setting and the class loader to find Conscrypt in.
	 */
	static CryptoProvider choose(@Nullable String setting, @Nullable ClassLoader loader) {
		String mode = (setting != null) ? setting.strip().toLowerCase(Locale.ROOT) : "";
		switch (mode) {
			case "jdk":
				return jdk("ChaCha20-Poly1305 and X25519 of the JDK (" + PROPERTY + "=jdk)");
			case "conscrypt":
				Conscrypt conscrypt = Conscrypt.load(loader);
				if (conscrypt.provider == null) {
					throw new IllegalStateException(PROPERTY + " is 'conscrypt', but Conscrypt " + conscrypt.problem
							+ ": add " + CONSCRYPT_ARTIFACT + " " + TESTED_VERSION + " to the classpath, or set " + PROPERTY
							+ " to 'auto' (Conscrypt when usable) or 'jdk'");
				}
				return conscrypt.chosen();
			case "", "auto":
				Conscrypt found = Conscrypt.load(loader);
				if (found.provider != null) {
					return found.chosen();
				}
				return jdk("ChaCha20-Poly1305 and X25519 of the JDK, because Conscrypt " + found.problem + " ("
						+ CONSCRYPT_ARTIFACT + " " + TESTED_VERSION + " on the classpath makes decryption several "
						+ "times faster: see docs/encryption.md)");
			default:
				throw new IllegalStateException(PROPERTY + " is '" + setting
						+ "', which is not a provider: use 'auto' (the default: Conscrypt when usable, else the JDK's), "
						+ "'conscrypt' or 'jdk'");
		}
	}

	private static CryptoProvider jdk(String description) {
		return new CryptoProvider(null, description);
	}

	/** Whether this is Conscrypt rather than the JDK's own provider. */
	boolean isConscrypt() {
		return this.provider != null && this.provider.getName().equals("Conscrypt");
	}

	/** What was chosen and why, as logged. */
	String description() {
		return this.description;
	}

	/** A new ChaCha20-Poly1305 cipher, which one thread at a time may use. */
	Cipher chaCha20Poly1305() throws GeneralSecurityException {
		return (this.provider != null) ? Cipher.getInstance("ChaCha20/Poly1305/NoPadding", this.provider)
				: Cipher.getInstance("ChaCha20-Poly1305");
	}

	/** Makes X25519 keys from their PKCS#8 and X.509 encodings, which both providers accept. */
	KeyFactory x25519KeyFactory() throws GeneralSecurityException {
		return (this.provider != null) ? KeyFactory.getInstance("XDH", this.provider) : KeyFactory.getInstance("XDH");
	}

	/** Agrees X25519 keys made by {@link #x25519KeyFactory()} of this provider only. */
	KeyAgreement x25519Agreement() throws GeneralSecurityException {
		return (this.provider != null) ? KeyAgreement.getInstance("XDH", this.provider)
				: KeyAgreement.getInstance("XDH");
	}

	/** Conscrypt found through a class loader: its provider, or why there is none. */
	private record Conscrypt(@Nullable Provider provider, String version, String problem) {

		static Conscrypt load(@Nullable ClassLoader loader) {
			String platform = System.getProperty("os.name") + " " + System.getProperty("os.arch");
			Class<?> conscrypt;
			try {
				conscrypt = Class.forName(CONSCRYPT_CLASS, true, loader);
			}
			catch (ClassNotFoundException | LinkageError ex) {
				return new Conscrypt(null, "", "is not on the classpath");
			}
			try {
				if (!Boolean.TRUE.equals(conscrypt.getMethod("isAvailable").invoke(null))) {
					return new Conscrypt(null, "", "has no native library that loads on " + platform);
				}
				Provider provider = (Provider) conscrypt.getMethod("newProvider").invoke(null);
				String version = version(conscrypt);
				String disagreement = disagreementWithTheJdk(new CryptoProvider(provider, ""));
				if (disagreement != null) {
					return new Conscrypt(null, version, version + " " + disagreement + " on " + platform);
				}
				return new Conscrypt(provider, version, "");
			}
			catch (ReflectiveOperationException | LinkageError | RuntimeException ex) {
				return new Conscrypt(null, "", "cannot be loaded on " + platform + " (" + ex + ")");
			}
		}

		CryptoProvider chosen() {
			return new CryptoProvider(this.provider,
					"ChaCha20-Poly1305 and X25519 of Conscrypt " + this.version + " (BoringSSL)");
		}

		private static String version(Class<?> conscrypt) {
			try {
				Object version = conscrypt.getMethod("version").invoke(null);
				Class<?> type = version.getClass();
				return type.getMethod("major").invoke(version) + "." + type.getMethod("minor").invoke(version) + "."
						+ type.getMethod("patch").invoke(version);
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				return "(version unknown)";
			}
		}

	}

	/**
	 * Checks a candidate against the JDK on a fresh key agreement and message; returns what
	 * differs, or {@code null} if nothing does.
	 */
	static @Nullable String disagreementWithTheJdk(CryptoProvider candidate) {
		CryptoProvider jdk = jdk("the JDK's");
		try {
			byte[] scalar = Primitives.random(32);
			byte[] point = Primitives.random(32);
			byte[] theirs = Primitives.x25519(candidate, Primitives.x25519PrivateKey(candidate, scalar), point);
			byte[] ours = Primitives.x25519(jdk, Primitives.x25519PrivateKey(jdk, scalar), point);
			if (!Arrays.equals(theirs, ours)) {
				return "computes X25519 differently from the JDK";
			}
			SecretKeySpec key = new SecretKeySpec(Primitives.random(32), "ChaCha20");
			IvParameterSpec nonce = new IvParameterSpec(Primitives.random(12));
			byte[] message = Primitives.random(100);
			Cipher seal = candidate.chaCha20Poly1305();
			seal.init(Cipher.ENCRYPT_MODE, key, nonce);
			Cipher open = jdk.chaCha20Poly1305();
			open.init(Cipher.DECRYPT_MODE, key, nonce);
			if (!Arrays.equals(open.doFinal(seal.doFinal(message)), message)) {
				return "seals ChaCha20-Poly1305 differently from the JDK";
			}
			return null;
		}
		catch (GeneralSecurityException | RuntimeException ex) {
			return "fails a self-test against the JDK (" + ex + ")";
		}
	}

}
