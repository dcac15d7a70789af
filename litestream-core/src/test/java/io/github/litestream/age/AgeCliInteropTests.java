package io.github.litestream.age;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Our age files against the reference {@code age} command-line tool, both ways, at the sizes
 * where the STREAM chunking has edges (empty, one byte, exactly one and two 64 KiB chunks, one
 * past them, and several chunks).
 */
class AgeCliInteropTests {

	private static final int CHUNK = 64 * 1024;

	@TempDir
	Path temp;

	private Path identityFile;

	private String recipient;

	@BeforeEach
	void keys() throws Exception {
		AgeCli.assumeInstalled();
		this.identityFile = this.temp.resolve("identity.txt");
		this.recipient = AgeCli.keygen(this.identityFile);
	}

	@ParameterizedTest(name = "{0} bytes")
	@ValueSource(ints = { 0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 5 * CHUNK + 12345 })
	void ageDecryptsWhatWeEncrypt(int size) throws Exception {
		byte[] plaintext = randomBytes(size);
		AgeRecipient other = AgeIdentity.generate().recipient();
		Path encrypted = this.temp.resolve("ours.age");
		try (InputStream in = Age.encrypting(new ByteArrayInputStream(plaintext),
				List.of(other, AgeRecipient.parse(this.recipient)))) {
			Files.write(encrypted, in.readAllBytes());
		}
		assertThat(AgeCli.decrypt(this.identityFile, encrypted)).isEqualTo(plaintext);
	}

	@ParameterizedTest(name = "{0} bytes")
	@ValueSource(ints = { 0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 5 * CHUNK + 12345 })
	void weDecryptWhatAgeEncrypts(int size) throws Exception {
		byte[] plaintext = randomBytes(size);
		Path plain = this.temp.resolve("plain");
		Files.write(plain, plaintext);
		AgeIdentity other = AgeIdentity.generate();
		byte[] encrypted = AgeCli.encrypt(List.of(other.recipient().toString(), this.recipient), plain);
		List<AgeIdentity> identities = AgeIdentity.parseFile(Files.readString(this.identityFile));
		try (InputStream in = Age.decrypting(new ByteArrayInputStream(encrypted), identities)) {
			assertThat(in.readAllBytes()).isEqualTo(plaintext);
		}
		// The other recipient's identity works too; it is listed after one that does not match.
		try (InputStream in = Age.decrypting(new ByteArrayInputStream(encrypted),
				List.of(AgeIdentity.generate(), other))) {
			assertThat(in.readAllBytes()).isEqualTo(plaintext);
		}
	}

	@Test
	void identityFilesOfAgeKeygenParseToTheirPublicKey() throws Exception {
		List<AgeIdentity> identities = AgeIdentity.parseFile(Files.readString(this.identityFile));
		assertThat(identities).hasSize(1);
		assertThat(identities.get(0).recipient()).hasToString(this.recipient);
		assertThat(AgeRecipient.parse(this.recipient)).isEqualTo(identities.get(0).recipient());
	}

	@Test
	void ageRejectsAlteredFilesAndSoDoWe() throws Exception {
		byte[] plaintext = randomBytes(3 * CHUNK);
		Path plain = this.temp.resolve("plain");
		Files.write(plain, plaintext);
		byte[] encrypted = AgeCli.encrypt(List.of(this.recipient), plain);
		encrypted[encrypted.length - 100] ^= 1;
		List<AgeIdentity> identities = AgeIdentity.parseFile(Files.readString(this.identityFile));
		assertThatExceptionOfType(AgeException.class).isThrownBy(() -> {
			try (InputStream in = Age.decrypting(new ByteArrayInputStream(encrypted), identities)) {
				in.readAllBytes();
			}
		}).satisfies((ex) -> assertThat(ex.kind()).isEqualTo(AgeException.Kind.PAYLOAD));
		Path altered = this.temp.resolve("altered.age");
		Files.write(altered, encrypted);
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> AgeCli.decrypt(this.identityFile, altered));
	}

	private static byte[] randomBytes(int size) {
		byte[] bytes = new byte[size];
		new Random(size).nextBytes(bytes);
		return bytes;
	}

}
