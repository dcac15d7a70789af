package io.github.litestream.boot.actuate;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.github.litestream.AppDatabase;
import io.github.litestream.Litestream;
import io.github.litestream.ReplicaQuorum;
import io.github.litestream.db.ReplicatedDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Synchronous waits on a database past {@code litestream.metrics.max-databases}: its timer (with
 * three percentile series), timeout counter and group-size summary would add series per tenant,
 * so they are recorded under {@code db="(other)"}.
 */
class ReplicationWaitMetersLimitTests {

	@TempDir
	Path dir;

	@Test
	void synchronousWaitMetersKeepToMaxDatabases() throws Exception {
		Litestream litestream = new Litestream();
		ReplicaOperationMetrics operations = new ReplicaOperationMetrics();
		Path first = this.dir.resolve("first.db");
		Path second = this.dir.resolve("second.db");
		try (AppDatabase firstApp = new AppDatabase(first); AppDatabase secondApp = new AppDatabase(second)) {
			MeteredDatabases.add(litestream, operations, this.dir, List.of(first, second));
			ReplicaLagTracker lag = ReplicaLagTracker.following(litestream, Clock.systemUTC());
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			// One database gets meters of its own; the other is counted under (other).
			new LitestreamMetrics(litestream, lag, operations, 1).bindTo(registry);
			litestream.start();
			try {
				String overflow = second.toAbsolutePath().toString();
				assertThat(registry.find("litestream.db.size").tag("db", overflow).gauge()).isNull();
				secondApp.insert(3);
				ReplicatedDatabase database = litestream.database(second).orElseThrow();
				litestream.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(10));
				assertThat(namesTagged(registry, overflow)).as("meters tagged with a database past max-databases")
					.isEmpty();
				assertThat(registry.get("litestream.replication.wait")
					.tags("db", LitestreamMetrics.OTHER, "outcome", "replicated")
					.timer()
					.count()).as("the wait is still recorded, with the others").isEqualTo(1);
			}
			finally {
				litestream.stop(Duration.ofSeconds(30));
				litestream.close();
			}
		}
	}

	private static List<String> namesTagged(SimpleMeterRegistry registry, String db) {
		return registry.getMeters()
			.stream()
			.filter((meter) -> db.equals(meter.getId().getTag("db")))
			.map((meter) -> meter.getId().getName())
			.distinct()
			.toList();
	}

}
