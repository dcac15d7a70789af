package io.github.litestream.boot.actuate;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How many of Litestream's meters are published.
 */
@ConfigurationProperties("litestream.metrics")
public class LitestreamMetricsProperties {

	static final int DEFAULT_MAX_DATABASES = 100;

	/**
	 * Maximum number of databases with meters tagged with their path; the requests of the
	 * others are counted together under db="(other)", which keeps the number of time series
	 * bounded with thousands of databases.
	 */
	private int maxDatabases = DEFAULT_MAX_DATABASES;

	public int getMaxDatabases() {
		return this.maxDatabases;
	}

	public void setMaxDatabases(int maxDatabases) {
		this.maxDatabases = maxDatabases;
	}

}
