package io.github.litestream.age;

import java.security.Security;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Which provider computes age's ChaCha20-Poly1305 and X25519. Surefire runs the age tests
 * twice, once as users get them (Conscrypt is on this module's test classpath) and once with
 * {@code litestream.age.provider=jdk}: this test checks that each run really uses the provider
 * it is meant to, so that the fast path cannot fall back to the JDK unnoticed.
 */
class CryptoProviderTests {

	private static final ClassLoader WITHOUT_CONSCRYPT = ClassLoader.getPlatformClassLoader();

	private static final ClassLoader WITH_CONSCRYPT = CryptoProviderTests.class.getClassLoader();

	@Test
	void thisRunUsesTheProviderItIsMeantTo() throws Exception {
		CryptoProvider chosen = CryptoProvider.get();
		String providerOfCiphers = Primitives.chaCha20Poly1305().getProvider().getName();
		String keyClass = Primitives.x25519PrivateKey(Primitives.random(32)).getClass().getName();
		if ("jdk".equals(System.getProperty(CryptoProvider.PROPERTY))) {
			assertThat(chosen.isConscrypt()).isFalse();
			assertThat(providerOfCiphers).isEqualTo("SunJCE");
			assertThat(keyClass).startsWith("sun.security.ec.");
			return;
		}
		String platform = (System.getProperty("os.name") + " " + System.getProperty("os.arch")).toLowerCase(Locale.ROOT);
		assumeTrue(hasConscryptNativeLibrary(platform),
				"Conscrypt ships no native library for " + platform + ", so the JDK's provider is expected here");
		assertThat(chosen.isConscrypt()).as(chosen.description()).isTrue();
		assertThat(chosen.description()).startsWith("ChaCha20-Poly1305 and X25519 of Conscrypt 2.");
		assertThat(providerOfCiphers).isEqualTo("Conscrypt");
		assertThat(keyClass).startsWith("org.conscrypt.");
	}

	/** Whether conscrypt-openjdk-uber ships a native library for an "os.name os.arch". */
	private static boolean hasConscryptNativeLibrary(String platform) {
		boolean x64 = platform.endsWith(" amd64") || platform.endsWith(" x86_64");
		return platform.startsWith("linux") && (x64 || platform.endsWith(" aarch64"))
				|| platform.startsWith("mac") && (x64 || platform.endsWith(" aarch64"))
				|| platform.startsWith("windows") && x64;
	}

	@Test
	void withoutConscryptTheJdkIsChosenAndTheLogSaysHowToGetTheFasterOne() {
		CryptoProvider chosen = CryptoProvider.choose(null, WITHOUT_CONSCRYPT);
		assertThat(chosen.isConscrypt()).isFalse();
		assertThat(chosen.description()).contains("of the JDK")
			.contains("Conscrypt is not on the classpath")
			.contains("org.conscrypt:conscrypt-openjdk-uber")
			.contains("docs/encryption.md");
		assertThat(CryptoProvider.choose("auto", WITHOUT_CONSCRYPT).isConscrypt()).isFalse();
	}

	@Test
	void theJdkCanBeForcedWhereConscryptIsPresent() {
		assertThat(CryptoProvider.choose("jdk", WITH_CONSCRYPT).isConscrypt()).isFalse();
		assertThat(CryptoProvider.choose(" JDK ", WITH_CONSCRYPT).description()).contains("litestream.age.provider=jdk");
	}

	@Test
	void askingForConscryptWhereItIsMissingFailsWithWhatToDo() {
		assertThatIllegalStateException().isThrownBy(() -> CryptoProvider.choose("conscrypt", WITHOUT_CONSCRYPT))
			.withMessageContaining("litestream.age.provider is 'conscrypt', but Conscrypt is not on the classpath")
			.withMessageContaining("org.conscrypt:conscrypt-openjdk-uber")
			.withMessageContaining("'jdk'");
	}

	@Test
	void anUnknownSettingIsNamedWithTheValuesThatWork() {
		assertThatIllegalStateException().isThrownBy(() -> CryptoProvider.choose("boringssl", WITH_CONSCRYPT))
			.withMessageContaining("litestream.age.provider is 'boringssl'")
			.withMessageContaining("'auto'")
			.withMessageContaining("'conscrypt'")
			.withMessageContaining("'jdk'");
	}

	@Test
	void conscryptWhenLoadedAgreesWithTheJdk() {
		CryptoProvider conscrypt = CryptoProvider.choose("auto", WITH_CONSCRYPT);
		assumeTrue(conscrypt.isConscrypt(), () -> "Conscrypt is not usable here: " + conscrypt.description());
		assertThat(CryptoProvider.disagreementWithTheJdk(conscrypt)).isNull();
		assertThat(CryptoProvider.disagreementWithTheJdk(CryptoProvider.choose("jdk", WITH_CONSCRYPT))).isNull();
	}

	@Test
	void aProviderWithoutX25519FailsTheSelfTestWithTheReason() {
		// Like Conscrypt 2.5.2, which Google Cloud's gRPC brings: ChaCha20-Poly1305 but no XDH.
		CryptoProvider withoutX25519 = new CryptoProvider(Security.getProvider("SunJCE"), "SunJCE");
		assertThat(CryptoProvider.disagreementWithTheJdk(withoutX25519)).startsWith("fails a self-test against the JDK")
			.contains("XDH");
	}

}
