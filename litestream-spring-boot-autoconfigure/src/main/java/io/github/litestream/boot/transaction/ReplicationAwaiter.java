package io.github.litestream.boot.transaction;

import org.jspecify.annotations.Nullable;

/**
 * Waits for the commits made so far on every replicated database.
 */
@FunctionalInterface
public interface ReplicationAwaiter {

	/**
	 * Waits.
	 * @param replicas {@code 1} or {@code all}, or {@code null} for each database's setting
	 * @param timeout a duration such as {@code 2s}, or {@code null} for each database's setting
	 * @throws NotReplicatedException if the commits were not stored in time
	 */
	void await(@Nullable String replicas, @Nullable String timeout);

}
