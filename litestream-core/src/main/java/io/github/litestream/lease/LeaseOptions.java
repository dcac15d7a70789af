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
	 * How long before the lease's expiry the holder stops writing, and how long an instance
	 * that takes the lease from a holder that did not release it waits before its first write:
	 * a fifth of the ttl (2 s by default). Room for a write that passed the holder's check to
	 * reach the store (a pause, a slow request), and for the two clocks to run at slightly
	 * different rates.
	 * @return the safety margin
	 */
	public Duration safetyMargin() {
		return safetyMargin(this.ttl);
	}

	/**
	 * The safety margin of a lease with the given ttl, which may be another instance's.
	 * @param ttl the ttl
	 * @return a fifth of it
	 */
	static Duration safetyMargin(Duration ttl) {
		return ttl.dividedBy(5);
	}

}
