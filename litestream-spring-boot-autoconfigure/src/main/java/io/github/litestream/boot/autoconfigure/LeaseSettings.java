package io.github.litestream.boot.autoconfigure;

import java.time.Duration;

import io.github.litestream.lease.LeaseOptions;

/**
 * Checks a {@code litestream.dbs[n].lease} entry into the engine's {@link LeaseOptions}.
 */
final class LeaseSettings {

	private static final Duration MIN_TTL = Duration.ofMillis(300);

	private LeaseSettings() {
	}

	static LeaseOptions of(String prefix, LitestreamProperties.Lease lease) {
		Duration ttl = lease.getTtl();
		if (ttl == null || ttl.compareTo(MIN_TTL) < 0) {
			throw new LitestreamConfigurationException(prefix + ".lease.ttl", "must be at least 300ms, not " + ttl,
					"Set " + prefix + ".lease.ttl to a duration such as 10s (the default); it is renewed every third "
							+ "of it, so it must outlast a few requests to the store.");
		}
		return new LeaseOptions(lease.isEnabled(), ttl);
	}

}
