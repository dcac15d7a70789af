package io.github.litestream.lease;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether a database's replicas are leased, and for how long a lease lasts without renewal.
 *
 * @param enabled whether every replica of the database carries a lease
 * @param ttl how long a lease lasts after its last renewal; renewed every third of it
 */
public record LeaseOptions(boolean enabled, Duration ttl) {

	/** Default {@link #ttl()}. */
	public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);

	/** No lease: the engine writes to its replicas unconditionally. */
	public static final LeaseOptions DISABLED = new LeaseOptions(false, DEFAULT_TTL);

	/**
	 * Validates the options.
	 * @param enabled whether leases are kept
	 * @param ttl the lease's time to live
	 */
	public LeaseOptions {
		Objects.requireNonNull(ttl, "ttl");
		if (ttl.toMillis() < 300) {
			throw new IllegalArgumentException("lease.ttl must be at least 300ms, not " + ttl);
		}
	}

	/**
	 * A lease with the default time to live.
	 * @return the options
	 */
	public static LeaseOptions defaults() {
		return new LeaseOptions(true, DEFAULT_TTL);
	}

	/**
	 * How often the lease is renewed: a third of the ttl, so two renewals may fail before it
	 * lapses.
	 * @return the renewal interval
	 */
	public Duration renewInterval() {
		return this.ttl.dividedBy(3);
	}

	/**
	 * How long before the lease's expiry the holder stops writing: a fifth of the ttl (2 s by
	 * default), room for a write that passed the check to reach the store, and for the
	 * holder's clock to run a little faster than a contender's.
	 * @return the safety margin
	 */
	public Duration safetyMargin() {
		return this.ttl.dividedBy(5);
	}

}
