package io.github.litestream.age;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A keyring tries the (identity, stanza) pair that matched the previous file first: whatever
 * the mix of files (key rotation, several recipients in either order, foreign files), each is
 * decrypted with its own key or fails as it would with a fresh keyring.
 */
class AgeKeyringTests {

	private final AgeIdentity oldKey = AgeIdentity.generate();

	private final AgeIdentity newKey = AgeIdentity.generate();

	private final AgeIdentity stranger = AgeIdentity.generate();

	@Test
	void decryptsEveryFileOfAMixWhateverMatchedBefore() throws IOException {
		AgeKeyring keyring = new AgeKeyring(List.of(this.newKey, this.oldKey));
		List<List<AgeRecipient>> recipientsInTurn = List.of(List.of(this.oldKey.recipient()),
				List.of(this.newKey.recipient()), List.of(this.stranger.recipient(), this.oldKey.recipient()),
				List.of(this.oldKey.recipient()), List.of(this.newKey.recipient(), this.stranger.recipient()),
				List.of(this.stranger.recipient(), this.newKey.recipient()), List.of(this.oldKey.recipient()));
		for (int i = 0; i < 3 * recipientsInTurn.size(); i++) {
			byte[] plaintext = randomBytes(i * 1000, i);
			byte[] file = encrypt(plaintext, recipientsInTurn.get(i % recipientsInTurn.size()));
			try (InputStream in = keyring.decrypting(new ByteArrayInputStream(file))) {
				assertThat(in.readAllBytes()).as("file %d", i).isEqualTo(plaintext);
			}
		}
	}

	@Test
	void aFileForNoneOfItsIdentitiesStillFailsAfterAMatch() throws IOException {
		AgeKeyring keyring = new AgeKeyring(List.of(this.newKey, this.oldKey));
		try (InputStream in = keyring.decrypting(
				new ByteArrayInputStream(encrypt(randomBytes(10, 1), List.of(this.oldKey.recipient()))))) {
			in.readAllBytes();
		}
		byte[] foreign = encrypt(randomBytes(10, 2), List.of(this.stranger.recipient()));
		assertThatExceptionOfType(AgeException.class)
			.isThrownBy(() -> keyring.decrypting(new ByteArrayInputStream(foreign)))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(AgeException.Kind.NO_MATCH))
			.withMessageContaining("tried 2 identities of recipient(s) " + this.newKey.recipient() + ", "
					+ this.oldKey.recipient());
	}

	@Test
	void toStringShowsOnlyThePublicKeys() {
		AgeKeyring keyring = new AgeKeyring(List.of(this.newKey, this.oldKey));
		assertThat(keyring).hasToString(
				"AgeKeyring[recipients=" + this.newKey.recipient() + ", " + this.oldKey.recipient() + "]");
		assertThat(keyring.size()).isEqualTo(2);
	}

	private static byte[] encrypt(byte[] plaintext, List<AgeRecipient> recipients) throws IOException {
		try (InputStream in = Age.encrypting(new ByteArrayInputStream(plaintext), recipients)) {
			return in.readAllBytes();
		}
	}

	private static byte[] randomBytes(int size, long seed) {
		byte[] bytes = new byte[size];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

}
