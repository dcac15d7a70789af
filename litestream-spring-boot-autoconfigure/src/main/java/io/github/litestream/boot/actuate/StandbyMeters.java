package io.github.litestream.boot.actuate;

import java.time.Clock;
import java.util.function.ToDoubleFunction;

import io.github.litestream.Standby;
import io.github.litestream.boot.autoconfigure.LitestreamStandbys;
import io.github.litestream.boot.autoconfigure.StandbyDatabase;
import io.github.litestream.restore.FollowerStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The meters of the databases this instance waits to take over
 * ({@code litestream.dbs[n].standby=true}), tagged {@code db}: whether it still waits, and how
 * far its follower is behind the replica, so that an alert can tell a standby that could not
 * take over promptly. Once it took over, the database's own meters ({@link LitestreamMetrics})
 * describe it and these read 0.
 */
public final class StandbyMeters implements MeterBinder {

	private final LitestreamStandbys standbys;

	private final Clock clock;

	/**
	 * Creates the binder.
	 * @param standbys the standby databases
	 */
	public StandbyMeters(LitestreamStandbys standbys) {
		this(standbys, Clock.systemUTC());
	}

	StandbyMeters(LitestreamStandbys standbys, Clock clock) {
		this.standbys = standbys;
		this.clock = clock;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.standbys.onEveryDatabase((database) -> bind(registry, database));
	}

	private void bind(MeterRegistry registry, StandbyDatabase database) {
		String db = database.path().toString();
		Gauge.builder("litestream.standby.waiting", database, (standby) -> waiting(standby) ? 1 : 0)
			.description("1 while this instance follows the replica and waits to take the database over")
			.tag("db", db)
			.register(registry);
		gauge("litestream.standby.lag", db, database,
				(follower) -> follower.lag(this.clock.instant()).toMillis() / 1000.0)
			.description("How long the oldest replica segment the standby has not applied yet has been there")
			.baseUnit("seconds")
			.register(registry);
		gauge("litestream.standby.segments.behind", db, database, FollowerStatus::segmentsBehind)
			.description("Replica segments the standby listed and has not applied yet")
			.register(registry);
	}

	private static Gauge.Builder<StandbyDatabase> gauge(String name, String db, StandbyDatabase database,
			ToDoubleFunction<FollowerStatus> value) {
		return Gauge
			.builder(name, database,
					(standby) -> standby.status().filter((status) -> waiting(standby))
						.map((status) -> value.applyAsDouble(status.follower()))
						.orElse(0.0))
			.tag("db", db);
	}

	private static boolean waiting(StandbyDatabase database) {
		return !database.isPrimary() && database.failure() == null
				&& database.status().map((status) -> status.state() != Standby.State.FAILED).orElse(true);
	}

}
