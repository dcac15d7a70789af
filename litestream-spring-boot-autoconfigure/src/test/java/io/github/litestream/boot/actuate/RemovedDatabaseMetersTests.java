package io.github.litestream.boot.actuate;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.github.litestream.AppDatabase;
import io.github.litestream.DatabaseRegistry;
import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tenant removed while nothing is added after it: its meters (gauges reading a closed
 * database, a replica lag that no longer means anything) must go with it.
 */
class RemovedDatabaseMetersTests {

	@TempDir
	Path dir;

	@Test
	void theMetersOfAnUnregisteredDatabaseGoAtOnce() throws Exception {
		Litestream litestream = new Litestream();
		ReplicaOperationMetrics operations = new ReplicaOperationMetrics();
		Path kept = this.dir.resolve("kept.db");
		Path removed = this.dir.resolve("removed.db");
		try (AppDatabase keptApp = new AppDatabase(kept); AppDatabase removedApp = new AppDatabase(removed)) {
			MeteredDatabases.add(litestream, operations, this.dir, List.of(kept, removed));
			ReplicaLagTracker lag = ReplicaLagTracker.following(litestream, Clock.systemUTC());
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			new LitestreamMetrics(litestream, lag, operations).bindTo(registry);
			litestream.start();
			try {
				String tag = removed.toAbsolutePath().toString();
				assertThat(registry.find("litestream.db.size").tag("db", tag).gauge()).isNotNull();
				removedApp.close();
				new DatabaseRegistry(litestream).unregister(removed, Duration.ofSeconds(30), Backups.KEEP);
				assertThat(litestream.databases()).hasSize(1);
				assertThat(namesTagged(registry, tag)).as("meters tagged with the removed database").isEmpty();
				assertThat(lag.tracked()).as("the kept database and its replica only").isEqualTo(2);
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
