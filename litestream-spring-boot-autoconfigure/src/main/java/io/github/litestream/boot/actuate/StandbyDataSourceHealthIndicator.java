package io.github.litestream.boot.actuate;

import io.github.litestream.boot.autoconfigure.StandbyDatabase;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code db} health of a standby database's DataSource ({@code litestream.dbs[n].standby}).
 * Spring Boot's {@code DataSourceHealthIndicator} asks the DataSource for a connection, which on
 * a standby waits for the takeover up to the pool's connection timeout and then fails: a health
 * request would hang that long, then say DOWN. This indicator answers at once instead:
 * {@code OUT_OF_SERVICE} while the standby waits, with what it waits for (who holds the lease,
 * its epoch and expiry); {@code DOWN} with the reason if the takeover failed; and once this
 * instance took over, what Spring Boot's indicator says.
 */
final class StandbyDataSourceHealthIndicator implements HealthIndicator {

	private static final String STOPPING = "nothing: the application is stopping before this instance took over";

	private final StandbyDatabase database;

	private final HealthIndicator delegate;

	/**
	 * Creates the indicator of a standby's DataSource.
	 * @param database the standby database
	 * @param delegate Spring Boot's indicator of its DataSource, asked once this instance took over
	 */
	StandbyDataSourceHealthIndicator(StandbyDatabase database, HealthIndicator delegate) {
		this.database = database;
		this.delegate = delegate;
	}

	@Override
	public Health health(boolean includeDetails) {
		// Read first: once the standby no longer waits, the state read below is final.
		String waitingFor = this.database.waitingFor();
		if (waitingFor == null && this.database.isPrimary()) {
			return this.delegate.health(includeDetails);
		}
		String failure = (waitingFor == null) ? this.database.failure() : null;
		Health.Builder health = (failure != null) ? Health.down() : Health.outOfService();
		if (includeDetails) {
			health.withDetail("role", (failure != null) ? "failed" : "standby")
				.withDetail("property", this.database.property())
				.withDetail("path", this.database.path().toString());
			if (failure != null) {
				health.withDetail("error", failure);
			}
			else {
				health.withDetail("waitingFor", (waitingFor != null) ? waitingFor : STOPPING);
			}
		}
		return health.build();
	}

	@Override
	public Health health() {
		return health(true);
	}

}
