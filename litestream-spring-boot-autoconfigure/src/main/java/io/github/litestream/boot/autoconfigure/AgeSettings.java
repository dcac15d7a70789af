package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.github.litestream.HomeDirectory;
import io.github.litestream.age.AgeIdentity;
import io.github.litestream.age.AgeRecipient;
import io.github.litestream.replica.AgeReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import org.jspecify.annotations.Nullable;

/**
 * A replica's validated age keys: the recipients new objects are encrypted to and the
 * identities (inline and from files) tried to decrypt them. {@link #toString()} shows the
 * public recipients and how many identities there are, never an identity.
 *
 * @param recipients the public keys; empty only for a tool that reads replicas and never writes
 * (the CLI)
 * @param identities the secret keys, possibly none (then the replica can be written, not read)
 */
public record AgeSettings(List<AgeRecipient> recipients, List<AgeIdentity> identities) {

	/**
	 * Checks a replica's {@code age} properties.
	 * @param property the prefix, such as {@code litestream.dbs[0].replicas[0].age}
	 * @param properties the bound properties
	 * @return the settings, or {@code null} when the replica is not encrypted
	 * @throws LitestreamConfigurationException naming the bad key and the fix; the message
	 * never contains an identity
	 */
	static @Nullable AgeSettings of(String property, AgeProperties properties) {
		return of(property, properties, true);
	}

	/**
	 * Checks a replica's {@code age} properties, for an application that writes the replica or
	 * a tool that only reads it (which needs identities only).
	 * @param property the prefix, such as {@code litestream.dbs[0].replicas[0].age}
	 * @param properties the bound properties
	 * @param writes whether the replica is written: then recipients are required
	 * @return the settings, or {@code null} when the replica is not encrypted
	 * @throws LitestreamConfigurationException naming the bad key and the fix; the message
	 * never contains an identity
	 */
	static @Nullable AgeSettings of(String property, AgeProperties properties, boolean writes) {
		if (!properties.isConfigured()) {
			return null;
		}
		List<AgeRecipient> recipients = new ArrayList<>();
		for (int i = 0; i < properties.getRecipients().size(); i++) {
			String key = property + ".recipients[" + i + "]";
			try {
				recipients.addAll(recipients(nonBlank(properties.getRecipients().get(i))));
			}
			catch (IllegalArgumentException ex) {
				throw new LitestreamConfigurationException(key, ex.getMessage(),
						"Set " + key + " to a public key (age1...) as age-keygen prints it; "
								+ "age-keygen -y identity.txt prints the one of an identity file.");
			}
		}
		List<AgeIdentity> identities = new ArrayList<>();
		for (int i = 0; i < properties.getIdentities().size(); i++) {
			String key = property + ".identities[" + i + "]";
			try {
				identities.addAll(identities(nonBlank(properties.getIdentities().get(i))));
			}
			catch (IllegalArgumentException ex) {
				throw new LitestreamConfigurationException(key, ex.getMessage(),
						"Set " + key + " to a secret key (AGE-SECRET-KEY-1...) from an age-keygen identity file, "
								+ "or list that file under " + property + ".identity-files.");
			}
		}
		for (int i = 0; i < properties.getIdentityFiles().size(); i++) {
			identities.addAll(identityFile(property + ".identity-files[" + i + "]", properties.getIdentityFiles().get(i)));
		}
		if (recipients.isEmpty() && writes) {
			throw new LitestreamConfigurationException(property + ".recipients",
					"identities are set but no recipient is, so new objects would be stored unencrypted next to "
							+ "encrypted ones",
					"Add the public key of each identity to " + property
							+ ".recipients (age-keygen -y identity.txt prints it).");
		}
		return new AgeSettings(List.copyOf(recipients), List.copyOf(identities));
	}

	/**
	 * One value of {@code age.identities}: a key, or, as Litestream parses each value, an identity
	 * file's whole content (a block scalar pasted from {@code age-keygen}, a variable holding the
	 * file), one key per line with blank lines and {@code #} comments.
	 */
	private static List<AgeIdentity> identities(String value) {
		return value.strip().contains("\n") ? AgeIdentity.parseFile(value) : List.of(AgeIdentity.parse(value));
	}

	/** One value of {@code age.recipients}: a key, or several lines of them, as for identities. */
	private static List<AgeRecipient> recipients(String value) {
		return value.strip().contains("\n") ? AgeRecipient.parseLines(value) : List.of(AgeRecipient.parse(value));
	}

	private static List<AgeIdentity> identityFile(String key, String file) {
		Path path = Path.of(HomeDirectory.expand(file.trim()));
		byte[] bytes;
		try {
			bytes = Files.readAllBytes(path);
		}
		catch (IOException | RuntimeException ex) {
			throw new LitestreamConfigurationException(key,
					"the identity file " + path.toAbsolutePath() + " can't be read (" + ex.getClass().getSimpleName() + ")",
					"Make " + path.toAbsolutePath() + " readable by the application (mount the secret there), or fix "
							+ key + ".",
					ex);
		}
		String content = text(bytes);
		if (content == null) {
			throw new LitestreamConfigurationException(key,
					"the identity file " + path.toAbsolutePath() + " is not UTF-8 text"
							+ ((bytes.length > 1 && (bytes[0] == (byte) 0xFF || bytes[0] == (byte) 0xFE))
									? " (it is UTF-16, as PowerShell's > writes)" : ""),
					"Save it as UTF-8, or write it with age-keygen -o " + path.getFileName() + ".");
		}
		try {
			return AgeIdentity.parseFile(content);
		}
		catch (IllegalArgumentException ex) {
			throw new LitestreamConfigurationException(key,
					"the identity file " + path.toAbsolutePath() + " is not valid: " + ex.getMessage(),
					"Give " + key + " a file written by age-keygen: AGE-SECRET-KEY-1... lines and # comments.");
		}
	}

	/**
	 * The file as UTF-8 text without a byte order mark, or {@code null} if it is not text; an
	 * encrypted age file, whose body is binary, is given as Latin-1 for the parser to name.
	 */
	private static @Nullable String text(byte[] bytes) {
		String content;
		try {
			content = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
		}
		catch (CharacterCodingException ex) {
			content = new String(bytes, StandardCharsets.ISO_8859_1);
			return content.startsWith("age-encryption.org/v1") ? content : null;
		}
		if (content.indexOf('\0') >= 0) {
			return null;
		}
		return content.startsWith("\uFEFF") ? content.substring(1) : content;
	}

	private static String nonBlank(String value) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException("the value is empty (an unset environment variable?)");
		}
		return value;
	}

	/**
	 * Wraps a replica's client so that it encrypts and decrypts with these keys.
	 * @param client the backend's client
	 * @return the encrypting client
	 */
	ReplicaClient wrap(ReplicaClient client) {
		return new AgeReplicaClient(client, this.recipients, this.identities);
	}

	@Override
	public String toString() {
		return "AgeSettings[recipients=" + this.recipients + ", identities=" + this.identities.size() + "]";
	}

}
