package io.github.litestream.boot.actuate;

import java.time.Duration;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaListener;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.SnapshotInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one replica in one registry: its position, lag and release gauges, and the
 * snapshot, validation and error meters its {@link ReplicaListener} events drive. Part of
 * {@link LitestreamMetrics}.
 */
final class ReplicaMeters implements ReplicaListener {

	private final Timer snapshot;

	private final Counter validationsMatched;

	private final Counter validationsMismatched;

	private final Counter errors;

	ReplicaMeters(MeterRegistry registry, Replica replica, ReplicaLagTracker lag) {
		Tags tags = Tags.of("db", replica.database().path().toString(), "replica", replica.name());
		Gauge.builder("litestream.replica.wal.index", replica, (r) -> LitestreamMetrics.positionPart(r.position(), Pos::index))
			.description("WAL index the replica holds up to")
			.tags(tags)
			.register(registry);
		Gauge.builder("litestream.replica.wal.offset", replica, (r) -> LitestreamMetrics.positionPart(r.position(), Pos::offset))
			.description("Offset within that WAL index the replica holds up to")
			.tags(tags)
			.register(registry);
		Gauge.builder("litestream.replica.wal.released", replica, (r) -> (r.status().walReleasedAt() != null) ? 1 : 0)
			.description("1 while the engine keeps no WAL for this failing replica (past max-shadow-wal-size)")
			.tags(tags)
			.register(registry);
		Gauge.builder("litestream.replica.lag", replica, (r) -> lag.lag(r).toNanos() / 1e9)
			.description("Age of the oldest committed change the replica does not hold yet")
			.baseUnit("seconds")
			.tags(tags)
			.register(registry);
		this.snapshot = Timer.builder("litestream.snapshot")
			.description("Snapshots written to the replica")
			.tags(tags)
			.register(registry);
		this.validationsMatched = validations(registry, tags, "matched");
		this.validationsMismatched = validations(registry, tags, "mismatched");
		this.errors = Counter.builder("litestream.replica.errors")
			.description("Failed replica operations (sync, snapshot, retention)")
			.tags(tags)
			.register(registry);
	}

	private static Counter validations(MeterRegistry registry, Tags tags, String status) {
		return Counter.builder("litestream.replica.validations")
			.description("Replica validations by outcome")
			.tags(tags.and("status", status))
			.register(registry);
	}

	@Override
	public void onSnapshot(SnapshotInfo info, Duration duration) {
		this.snapshot.record(duration);
	}

	@Override
	public void onValidation(ReplicaStatus.ValidationResult result) {
		(result.matched() ? this.validationsMatched : this.validationsMismatched).increment();
	}

	@Override
	public void onError(Exception error) {
		this.errors.increment();
	}

}
