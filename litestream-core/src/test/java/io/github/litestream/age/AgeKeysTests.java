package io.github.litestream.age;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Parsing the {@code age1…} and {@code AGE-SECRET-KEY-1…} keys (the examples of the age
 * specification), and the rule that a secret key never appears in a message or toString.
 */
class AgeKeysTests {

	/** The example identity of the age specification and its recipient. */
	private static final String SPEC_IDENTITY = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";

	private static final String SPEC_RECIPIENT = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";

	@Test
	void theSpecificationsIdentityHasItsRecipient() {
		AgeIdentity identity = AgeIdentity.parse(SPEC_IDENTITY);
		assertThat(identity.recipient()).hasToString(SPEC_RECIPIENT);
		assertThat(identity.recipient()).isEqualTo(AgeRecipient.parse(SPEC_RECIPIENT));
		assertThat(AgeIdentity.parse(SPEC_IDENTITY.toLowerCase()).recipient()).isEqualTo(identity.recipient());
	}

	@Test
	void toStringShowsOnlyThePublicKey() {
		AgeIdentity identity = AgeIdentity.parse(SPEC_IDENTITY);
		assertThat(identity.toString()).contains(SPEC_RECIPIENT).doesNotContain("AGE-SECRET-KEY").doesNotContain("GFPYY");
	}

	@Test
	void aMistypedKeyIsRejectedByItsChecksumWithoutEchoingIt() {
		String mistyped = SPEC_IDENTITY.substring(0, 30) + "Q" + SPEC_IDENTITY.substring(31);
		assertThatIllegalArgumentException().isThrownBy(() -> AgeIdentity.parse(mistyped))
			.withMessageContaining("checksum")
			.withMessageNotContaining("GFPYY");
		assertThatIllegalArgumentException().isThrownBy(() -> AgeRecipient.parse(SPEC_RECIPIENT.replace('w', 'x')))
			.withMessageContaining("checksum");
	}

	@Test
	void keysInTheWrongPlaceAreNamedButSecretsNotShown() {
		assertThatIllegalArgumentException().isThrownBy(() -> AgeRecipient.parse(SPEC_IDENTITY))
			.withMessageContaining("secret identity")
			.withMessageContaining("age-keygen -y")
			.withMessageNotContaining("GFPYY");
		assertThatIllegalArgumentException().isThrownBy(() -> AgeIdentity.parse(SPEC_RECIPIENT))
			.withMessageContaining("public recipient");
		assertThatIllegalArgumentException().isThrownBy(() -> AgeRecipient.parse("age1pq1x34nzsvr0rxj"))
			.withMessageContaining("not an age recipient");
		assertThatIllegalArgumentException().isThrownBy(() -> AgeRecipient.parse("ssh-ed25519 AAAA"))
			.withMessageContaining("not an age recipient");
	}

	@Test
	void identityFilesSkipCommentsAndNameTheBadLine() {
		String file = "# created: 2026-11-30\n# public key: " + SPEC_RECIPIENT + "\n\n" + SPEC_IDENTITY + "\n";
		assertThat(AgeIdentity.parseFile(file)).singleElement()
			.satisfies((identity) -> assertThat(identity.recipient()).hasToString(SPEC_RECIPIENT));
		assertThatIllegalArgumentException().isThrownBy(() -> AgeIdentity.parseFile("# only a comment\n"))
			.withMessageContaining("no identity");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> AgeIdentity.parseFile("# c\n" + SPEC_IDENTITY + "\n" + SPEC_IDENTITY.substring(1) + "\n"))
			.withMessageStartingWith("line 3:")
			.withMessageNotContaining("GFPYY");
	}

	@Test
	void recipientLinesSkipCommentsAndNameTheBadLine() {
		String other = AgeIdentity.generate().recipient().toString();
		assertThat(AgeRecipient.parseLines("# app\r\n" + SPEC_RECIPIENT + "\n\n# operator\n" + other + "\n"))
			.map(AgeRecipient::toString)
			.containsExactly(SPEC_RECIPIENT, other);
		assertThatIllegalArgumentException().isThrownBy(() -> AgeRecipient.parseLines("# none\n\n"))
			.withMessageContaining("no recipient");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> AgeRecipient.parseLines(SPEC_RECIPIENT + "\n" + SPEC_IDENTITY + "\n"))
			.withMessageStartingWith("line 2: ")
			.withMessageNotContaining(SPEC_IDENTITY.substring(20));
	}

	@Test
	void encryptsToEveryRecipientSoAnyOfTheirIdentitiesDecrypts() throws Exception {
		AgeIdentity first = AgeIdentity.generate();
		AgeIdentity second = AgeIdentity.generate();
		byte[] plaintext = "both can read this".getBytes();
		byte[] encrypted;
		try (InputStream in = Age.encrypting(new ByteArrayInputStream(plaintext),
				List.of(first.recipient(), second.recipient()))) {
			encrypted = in.readAllBytes();
		}
		assertThat(Age.isAgeFile(encrypted)).isTrue();
		assertThat(new String(encrypted, 0, 40)).startsWith("age-encryption.org/v1\n-> X25519 ");
		for (AgeIdentity identity : List.of(first, second)) {
			try (InputStream in = Age.decrypting(new ByteArrayInputStream(encrypted), List.of(identity))) {
				assertThat(in.readAllBytes()).isEqualTo(plaintext);
			}
		}
		AgeIdentity stranger = AgeIdentity.generate();
		assertThatExceptionOfType(AgeException.class)
			.isThrownBy(() -> Age.decrypting(new ByteArrayInputStream(encrypted), List.of(stranger)))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(AgeException.Kind.NO_MATCH))
			.withMessageContaining("2 recipient stanza(s)")
			.withMessageContaining(stranger.recipient().toString());
	}

}
