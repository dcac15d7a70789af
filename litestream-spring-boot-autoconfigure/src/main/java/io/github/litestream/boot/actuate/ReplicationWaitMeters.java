package io.github.litestream.boot.actuate;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import io.github.litestream.ReplicationWait;
import io.github.litestream.ReplicationWaitListener;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of synchronous replication: how long commits waited (with the percentiles users
 * feel), how many timed out, and how many waiting commits one upload served (group commit).
 * Registered on the first wait, so applications that never wait have none of them. A database
 * without meters of its own (past {@code litestream.metrics.max-databases}) is counted under
 * {@code db="(other)"}: percentiles per tenant would defeat that limit.
 */
final class ReplicationWaitMeters implements ReplicationWaitListener {

	private final List<MeterRegistry> registries;

	/** Whether a database (its path) has meters of its own. */
	private final Predicate<String> tagged;

	ReplicationWaitMeters(List<MeterRegistry> registries, Predicate<String> tagged) {
		this.registries = registries;
		this.tagged = tagged;
	}

	private String tag(Path database) {
		String path = database.toString();
		return this.tagged.test(path) ? path : LitestreamMetrics.OTHER;
	}

	@Override
	public void onWait(ReplicatedDatabase database, ReplicationWait wait) {
		if (wait.outcome() == ReplicationWait.Outcome.NOT_REPLICATING) {
			return;
		}
		String db = tag(database.path());
		for (MeterRegistry registry : this.registries) {
			Timer.builder("litestream.replication.wait")
				.description("Time commits waited to be stored in the replicas (synchronous replication)")
				.tags("db", db, "outcome", wait.outcome().name().toLowerCase(Locale.ROOT))
				.publishPercentiles(0.5, 0.99, 0.999)
				.register(registry)
				.record(wait.waited());
			if (wait.outcome() == ReplicationWait.Outcome.TIMED_OUT) {
				Counter.builder("litestream.replication.wait.timeouts")
					.description("Commits not stored in enough replicas within synchronous-timeout")
					.tags("db", db)
					.register(registry)
					.increment();
			}
		}
	}

	@Override
	public void onGroup(Replica replica, long waits) {
		String db = tag(replica.database().path());
		for (MeterRegistry registry : this.registries) {
			DistributionSummary.builder("litestream.replication.wait.group.size")
				.description("Waiting commits served by one upload to a replica")
				.tags("db", db, "replica", db.equals(LitestreamMetrics.OTHER) ? db : replica.name())
				.register(registry)
				.record(waits);
		}
	}

}
