package io.github.litestream.boot.actuate;

import java.time.Duration;

import io.github.litestream.boot.autoconfigure.LitestreamConfigurationException;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Thresholds of the {@code litestream} health indicator.
 *
 * <p>The defaults suit the default sync interval of one second: a minute of failures is sixty
 * failed attempts, and five minutes of lag is far beyond what a working replica ever shows.
 * A replica with a longer sync interval is judged against at least twice its interval, so a
 * slow schedule on its own never makes the application unhealthy.
 */
@ConfigurationProperties("litestream.health")
public class LitestreamHealthProperties {

	/**
	 * How long a replica may keep failing before the health indicator reports DOWN.
	 */
	private Duration maxFailureDuration = Duration.ofMinutes(1);

	/**
	 * How far behind its database (age of the oldest change it does not hold yet) a replica
	 * may fall before the health indicator reports DOWN.
	 */
	private Duration maxLag = Duration.ofMinutes(5);

	/**
	 * Maximum number of databases whose replicas the health details list one by one, and of
	 * problems listed; past it the details only count databases and replicas in each state,
	 * and the litestream endpoint (?problems=true) lists which.
	 */
	private int maxDetails = 100;

	/**
	 * Checks the thresholds, so that a bad one fails startup rather than the first health check
	 * that needs it.
	 * @throws LitestreamConfigurationException naming the property
	 */
	void validate() {
		if (this.maxDetails < 0) {
			throw new LitestreamConfigurationException("litestream.health.max-details",
					"must not be negative, not " + this.maxDetails,
					"Set litestream.health.max-details to 0 or more (default 100).");
		}
		if (this.maxFailureDuration == null || this.maxFailureDuration.isNegative()) {
			throw new LitestreamConfigurationException("litestream.health.max-failure-duration",
					"must not be negative, not " + this.maxFailureDuration,
					"Set litestream.health.max-failure-duration to a duration such as 1m (the default).");
		}
		if (this.maxLag == null || this.maxLag.isNegative()) {
			throw new LitestreamConfigurationException("litestream.health.max-lag",
					"must not be negative, not " + this.maxLag,
					"Set litestream.health.max-lag to a duration such as 5m (the default).");
		}
	}

	public int getMaxDetails() {
		return this.maxDetails;
	}

	public void setMaxDetails(int maxDetails) {
		this.maxDetails = maxDetails;
	}

	public Duration getMaxFailureDuration() {
		return this.maxFailureDuration;
	}

	public void setMaxFailureDuration(Duration maxFailureDuration) {
		this.maxFailureDuration = maxFailureDuration;
	}

	public Duration getMaxLag() {
		return this.maxLag;
	}

	public void setMaxLag(Duration maxLag) {
		this.maxLag = maxLag;
	}

}
