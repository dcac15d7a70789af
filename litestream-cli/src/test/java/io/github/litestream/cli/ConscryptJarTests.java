package io.github.litestream.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.litestream.restore.AgeFixture;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar brings Conscrypt for age: run as an operator runs it, it restores the stock
 * Litestream v0.3.14 CLI's encrypted replica with Conscrypt's native library loaded from the
 * shaded jar (its log line says so), and with the JDK's provider when
 * {@code -Dlitestream.age.provider=jdk} forces it. Runs in the {@code integration-test} phase,
 * after {@code package}, as {@link CliJarTests} does.
 */
class ConscryptJarTests {

	@TempDir
	Path dir;

	@ParameterizedTest(name = "litestream.age.provider={0}")
	@ValueSource(strings = { "conscrypt", "jdk" })
	void theJarRestoresTheEncryptedFixtureWithEachProvider(String provider) throws Exception {
		Path fixture = AgeFixture.copyTo(this.dir.resolve("fixture"));
		Path database = this.dir.resolve("app.db");
		Path config = CliFixture.encryptedConfig(this.dir, database, fixture, 1);

		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Dlitestream.age.provider=" + provider,
				"-Dorg.slf4j.simpleLogger.log.io.github.litestream.age.CryptoProvider=info", "-jar",
				CliJarTests.jar().toString(), "restore", "-config", config.toString(), database.toString()));
		Process process = new ProcessBuilder(command).start();
		process.getOutputStream().close();
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
		String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

		assertThat(process.exitValue()).as(stderr).isZero();
		assertThat(stderr).contains(provider.equals("jdk") ? "age encryption uses ChaCha20-Poly1305 and X25519 of the JDK"
				: "age encryption uses ChaCha20-Poly1305 and X25519 of Conscrypt 2.");
		assertThat(CliFixture.summary(database)).isEqualTo(CliFixture.encryptedLatest());
	}

}
