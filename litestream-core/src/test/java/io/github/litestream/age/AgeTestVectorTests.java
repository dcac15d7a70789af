package io.github.litestream.age;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.InflaterInputStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the age specification's published test vectors (C2SP/CCTV, see
 * {@code age-testkit/README.md}) that use X25519 identities: each must succeed or fail
 * exactly as its {@code expect} line says, and the plaintext released before any failure must
 * hash to its {@code payload} line: decrypting on the reading thread and with the payload's
 * chunks decrypted ahead on the shared decryption threads alike. Read whole at once
 * ({@code readAllBytes}, which restores use), each must end the same way and, on success,
 * give the same plaintext.
 */
class AgeTestVectorTests {

	static Stream<Arguments> vectorsInBothModes() throws IOException, URISyntaxException {
		return vectors().flatMap((name) -> Stream.of(Arguments.of(name, false), Arguments.of(name, true)));
	}

	static Stream<String> vectors() throws IOException, URISyntaxException {
		Path directory = Path.of(AgeTestVectorTests.class.getResource("/age-testkit").toURI());
		try (Stream<Path> files = Files.list(directory)) {
			List<String> names = files.map((file) -> file.getFileName().toString())
				.filter((name) -> !name.endsWith(".md"))
				.sorted()
				.toList();
			assertThat(names).hasSizeGreaterThan(60);
			return names.stream();
		}
	}

	@ParameterizedTest(name = "{0}, chunks in parallel: {1}")
	@MethodSource("vectorsInBothModes")
	void decryptsAsTheVectorExpects(String name, boolean inParallel) throws Exception {
		Vector vector = Vector.read(name);
		ByteArrayOutputStream released = new ByteArrayOutputStream();
		String outcome = "success";
		AgeKeyring keyring = new AgeKeyring(vector.identities());
		ByteArrayInputStream file = new ByteArrayInputStream(vector.file());
		try (InputStream in = inParallel ? keyring.decryptingInParallel(file) : keyring.decrypting(file)) {
			byte[] buffer = new byte[8192];
			int n;
			while ((n = in.read(buffer)) > 0) {
				released.write(buffer, 0, n);
			}
		}
		catch (AgeException ex) {
			outcome = outcome(ex);
		}
		assertThat(outcome).as("outcome of %s", name).isEqualTo(vector.expect());
		if (vector.payload() != null) {
			assertThat(sha256(released.toByteArray())).as("SHA-256 of the plaintext released").isEqualTo(vector.payload());
		}
	}

	@ParameterizedTest(name = "{0}, chunks in parallel: {1}")
	@MethodSource("vectorsInBothModes")
	void decryptsWholeAsTheVectorExpects(String name, boolean inParallel) throws Exception {
		Vector vector = Vector.read(name);
		AgeKeyring keyring = new AgeKeyring(vector.identities());
		ByteArrayInputStream file = new ByteArrayInputStream(vector.file());
		String outcome = "success";
		byte[] plaintext = null;
		try (InputStream in = inParallel ? keyring.decryptingInParallel(file) : keyring.decrypting(file)) {
			plaintext = in.readAllBytes();
		}
		catch (AgeException ex) {
			outcome = outcome(ex);
		}
		assertThat(outcome).as("outcome of %s", name).isEqualTo(vector.expect());
		if (plaintext != null) {
			assertThat(sha256(plaintext)).as("SHA-256 of the plaintext").isEqualTo(vector.payload());
		}
	}

	/** The vector's name for how a decryption failed. */
	private static String outcome(AgeException ex) {
		return switch (ex.kind()) {
			case HEADER -> "header failure";
			case NO_MATCH -> "no match";
			case MAC -> "HMAC failure";
			case PAYLOAD -> "payload failure";
		};
	}

	private static String sha256(byte[] bytes) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

	record Vector(String expect, String payload, List<AgeIdentity> identities, byte[] file) {

		static Vector read(String name) throws IOException {
			byte[] all;
			try (InputStream in = AgeTestVectorTests.class.getResourceAsStream("/age-testkit/" + name)) {
				all = in.readAllBytes();
			}
			int split = indexOf(all, "\n\n".getBytes(StandardCharsets.US_ASCII)) + 2;
			String expect = null;
			String payload = null;
			boolean zlib = false;
			List<AgeIdentity> identities = new ArrayList<>();
			for (String line : new String(all, 0, split, StandardCharsets.UTF_8).split("\n")) {
				int colon = line.indexOf(": ");
				if (colon < 0) {
					continue;
				}
				String key = line.substring(0, colon);
				String value = line.substring(colon + 2);
				switch (key) {
					case "expect" -> expect = value;
					case "payload" -> payload = value;
					case "identity" -> identities.add(AgeIdentity.parse(value));
					case "compressed" -> zlib = value.equals("zlib");
					case "armored", "passphrase" -> fail(name + " needs " + key + ", which was not vendored");
					default -> {
					}
				}
			}
			byte[] file = java.util.Arrays.copyOfRange(all, split, all.length);
			if (zlib) {
				try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(file))) {
					file = in.readAllBytes();
				}
			}
			return new Vector(expect, payload, identities, file);
		}

		private static int indexOf(byte[] bytes, byte[] wanted) {
			outer: for (int i = 0; i <= bytes.length - wanted.length; i++) {
				for (int j = 0; j < wanted.length; j++) {
					if (bytes[i + j] != wanted[j]) {
						continue outer;
					}
				}
				return i;
			}
			throw new IllegalArgumentException("no blank line after the vector's header");
		}

	}

}
