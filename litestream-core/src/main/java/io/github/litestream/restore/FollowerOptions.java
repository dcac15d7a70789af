package io.github.litestream.restore;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ReplicaFollower} polls its replica.
 *
 * @param pollInterval how long it waits between two listings of the replica
 * @param maxBackoff the longest wait between attempts while the replica fails (the wait doubles
 * from {@code pollInterval} with each failure)
 * @param parallelism how many objects a full restore fetches at once
 */
public record FollowerOptions(Duration pollInterval, Duration maxBackoff, int parallelism) {

	/**
	 * Validates the options.
	 * @param pollInterval the poll interval
	 * @param maxBackoff the maximum backoff
	 * @param parallelism the restore parallelism
	 */
	public FollowerOptions {
		Objects.requireNonNull(pollInterval, "pollInterval");
		Objects.requireNonNull(maxBackoff, "maxBackoff");
		if (pollInterval.isNegative() || pollInterval.isZero()) {
			throw new IllegalArgumentException("pollInterval must be positive, not " + pollInterval);
		}
		if (parallelism < 1) {
			throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
		}
	}

	/**
	 * Polls every second, backs off to 30 seconds, restores with 8 fetches at once.
	 * @return the defaults
	 */
	public static FollowerOptions defaults() {
		return new FollowerOptions(Duration.ofSeconds(1), Duration.ofSeconds(30), RestoreOptions.DEFAULT_PARALLELISM);
	}

	/**
	 * A copy with another poll interval.
	 * @param pollInterval the interval
	 * @return the new options
	 */
	public FollowerOptions withPollInterval(Duration pollInterval) {
		return new FollowerOptions(pollInterval, this.maxBackoff, this.parallelism);
	}

	/**
	 * A copy with another maximum backoff.
	 * @param maxBackoff the longest wait between failing attempts
	 * @return the new options
	 */
	public FollowerOptions withMaxBackoff(Duration maxBackoff) {
		return new FollowerOptions(this.pollInterval, maxBackoff, this.parallelism);
	}

}
