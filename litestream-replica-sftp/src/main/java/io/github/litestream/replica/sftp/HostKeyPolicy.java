package io.github.litestream.replica.sftp;

import java.nio.file.Path;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How the server's host key is checked before logging in.
 *
 * @param knownHosts an OpenSSH {@code known_hosts} file whose entry for the host must match,
 * used when no key is pinned
 * @param pinnedKey the one accepted key, as in {@code known_hosts} or
 * {@code authorized_keys} ({@code ssh-ed25519 AAAA...}), or {@code null}
 * @param skip whether any key is accepted, as Litestream v0.3.14 does
 */
public record HostKeyPolicy(Path knownHosts, @Nullable String pinnedKey, boolean skip) {

	/**
	 * Checks the policy.
	 * @param knownHosts the known hosts file
	 * @param pinnedKey the pinned key, or {@code null}
	 * @param skip whether to skip the check
	 * @throws IllegalArgumentException naming {@code host-key} if the pinned key cannot be parsed
	 */
	public HostKeyPolicy {
		Objects.requireNonNull(knownHosts, "knownHosts");
		if (pinnedKey != null && !skip) {
			HostKeyCheck.parsePinned(pinnedKey);
		}
	}

	/**
	 * The user's {@code ~/.ssh/known_hosts}, as the {@code ssh} command reads it.
	 * @return the default policy
	 */
	public static HostKeyPolicy defaults() {
		return new HostKeyPolicy(defaultKnownHosts(), null, false);
	}

	/**
	 * {@code ~/.ssh/known_hosts}.
	 * @return the file
	 */
	public static Path defaultKnownHosts() {
		return Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
	}

	@Override
	public String toString() {
		return this.skip ? "not checked" : ((this.pinnedKey != null) ? "pinned " + this.pinnedKey.trim()
				: "known_hosts " + this.knownHosts);
	}

}
