package io.github.litestream.replica.sftp;

import java.net.SocketAddress;
import java.nio.file.Files;
import java.security.PublicKey;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.jspecify.annotations.Nullable;

/**
 * Checks the server's host key before the password or key is sent: against a pinned key, or
 * against an OpenSSH {@code known_hosts} file (hashed entries and {@code [host]:port} included),
 * which it never writes to. A rejected key is remembered so that the connection error can show
 * its fingerprint and the line to trust it with.
 */
final class HostKeyCheck implements ServerKeyVerifier {

	private final HostKeyPolicy policy;

	private final @Nullable PublicKey pinned;

	private final @Nullable KnownHostsServerKeyVerifier knownHosts;

	private final AtomicReference<@Nullable Rejection> lastRejection = new AtomicReference<>();

	/**
	 * Creates a check.
	 * @param policy the policy
	 * @throws IllegalArgumentException if the pinned key cannot be parsed
	 */
	HostKeyCheck(HostKeyPolicy policy) {
		this.policy = policy;
		this.pinned = (!policy.skip() && policy.pinnedKey() != null) ? parsePinned(policy.pinnedKey()) : null;
		if (policy.skip() || this.pinned != null) {
			this.knownHosts = null;
		}
		else {
			KnownHostsServerKeyVerifier verifier = new KnownHostsServerKeyVerifier(this::rejectUnknown,
					policy.knownHosts()) {

				@Override
				public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remoteAddress,
						KnownHostEntry entry, PublicKey expected, PublicKey actual) {
					HostKeyCheck.this.lastRejection.set(new Rejection(actual, true));
					return false;
				}

			};
			verifier.setModifiedServerKeyAcceptor(verifier);
			this.knownHosts = verifier;
		}
	}

	@Override
	public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
		if (this.policy.skip()) {
			return true;
		}
		if (this.pinned != null) {
			if (KeyUtils.compareKeys(this.pinned, serverKey)) {
				return true;
			}
			this.lastRejection.set(new Rejection(serverKey, true));
			return false;
		}
		return this.knownHosts.verifyServerKey(session, remoteAddress, serverKey);
	}

	/**
	 * The key rejected by the last failed check, and forgets it.
	 * @return the rejection, or {@code null} if no key was rejected
	 */
	@Nullable Rejection takeRejection() {
		return this.lastRejection.getAndSet(null);
	}

	/**
	 * Whether the known hosts file exists (when one is used).
	 * @return {@code false} only if a known hosts file is used and missing
	 */
	boolean knownHostsFileExists() {
		return this.knownHosts == null || Files.isRegularFile(this.policy.knownHosts());
	}

	private boolean rejectUnknown(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
		this.lastRejection.set(new Rejection(serverKey, false));
		return false;
	}

	static PublicKey parsePinned(String line) {
		try {
			String trimmed = line.trim();
			// A known_hosts line starts with the host patterns; an authorized_keys line with the key type.
			String[] fields = trimmed.split("\\s+");
			String keyPart = (fields.length >= 3 && KeyUtils.getPublicKeyEntryDecoder(fields[1]) != null)
					? trimmed.substring(trimmed.indexOf(fields[1])) : trimmed;
			AuthorizedKeyEntry entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(keyPart);
			PublicKey key = (entry != null) ? entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING) : null;
			if (key == null) {
				throw new IllegalArgumentException("no key found");
			}
			return key;
		}
		catch (Exception ex) {
			throw new IllegalArgumentException("SFTP replica 'host-key' is not a public key such as "
					+ "'ssh-ed25519 AAAAC3Nza...' (as ssh-keyscan prints it, without the host name): " + ex.getMessage(),
					ex);
		}
	}

	/**
	 * A host key that was not accepted.
	 *
	 * @param key the server's key
	 * @param changed whether a different key was expected (rather than none known)
	 */
	record Rejection(PublicKey key, boolean changed) {

		/**
		 * The key's SHA-256 fingerprint, as {@code ssh-keygen -l} prints it.
		 * @return such as {@code SHA256:...}
		 */
		String fingerprint() {
			return KeyUtils.getFingerPrint(this.key);
		}

		/**
		 * The key as one line of {@code authorized_keys} format, for {@code host-key}.
		 * @return such as {@code ssh-ed25519 AAAA...}
		 */
		String keyLine() {
			return PublicKeyEntry.toString(this.key);
		}

	}

}
