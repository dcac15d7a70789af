package io.github.litestream.db;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The names of the generations this database begins, and which replicas have claimed the one it
 * began (see {@link ReplicationSource#claimNewGeneration}): a generation begun here has a new
 * random name that no other process knows, so the first replica at a location to ask can hold
 * nothing of it.
 *
 * <p>Thread-safe: the {@link GenerationTracker} begins and forgets generations under the
 * database's monitor lock, while replica threads claim without it.
 */
final class GenerationClaims {

	private static final SecureRandom RANDOM = new SecureRandom();

	/** The generation the tracker began, until it continues one instead. */
	private @Nullable String began;

	/** The replica locations that claimed {@link #began}. */
	private final Set<String> claimedBy = new HashSet<>();

	/**
	 * A new generation's name: 8 random bytes as 16 lowercase hex characters.
	 * @return the name
	 */
	static String newName() {
		byte[] bytes = new byte[8];
		RANDOM.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	/**
	 * Records the generation just begun, or none, and forgets every claim.
	 * @param generation the generation begun here, or {@code null} when one is continued
	 */
	synchronized void began(@Nullable String generation) {
		this.began = generation;
		this.claimedBy.clear();
	}

	/**
	 * Whether {@code generation} was begun here and no replica at {@code location} claimed it
	 * before.
	 * @param generation a generation
	 * @param location a replica's location
	 * @return {@code true} once per location of a generation begun here
	 */
	synchronized boolean claim(String generation, String location) {
		return generation.equals(this.began) && this.claimedBy.add(location);
	}

}
