package io.github.litestream.boot.transaction;

import org.jspecify.annotations.Nullable;

/**
 * Waits for the commits an {@link AwaitReplication} method made.
 */
@FunctionalInterface
public interface ReplicationAwaiter {

	/**
	 * Marks the start of a method, so that the wait afterwards is for the databases written since
	 * (by it, or by others meanwhile) and not for every database of the application.
	 * @return what waits at the method's end
	 */
	Pending begin();

	/**
	 * The wait for the databases written since {@link #begin()}.
	 */
	@FunctionalInterface
	interface Pending {

		/**
		 * Waits.
		 * @param replicas {@code 1} or {@code all}, or {@code null} for each database's setting
		 * @param timeout a duration such as {@code 2s} for the whole wait, or {@code null} for
		 * each database's setting
		 * @throws NotReplicatedException if the commits were not stored in time
		 */
		void await(@Nullable String replicas, @Nullable String timeout);

	}

}
