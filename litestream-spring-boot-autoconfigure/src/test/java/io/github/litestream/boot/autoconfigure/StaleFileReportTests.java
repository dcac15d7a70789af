package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.litestream.DatabaseRegistry;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.boot.actuate.LitestreamEndpoint;
import io.github.litestream.boot.actuate.LitestreamEndpoint.DatabaseDescriptor;
import io.github.litestream.boot.actuate.LitestreamHealthIndicator;
import io.github.litestream.boot.actuate.LitestreamHealthProperties;
import io.github.litestream.boot.actuate.ReplicaLagTracker;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A database file that another instance's replication left behind, registered while the engine
 * runs (a tenant's): it is not replicated, and health, the endpoint and readiness say so, as
 * they say it of a deposed primary. Real SQLite files, a real file replica, real engines.
 */
class StaleFileReportTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	@TempDir
	Path dir;

	@Test
	void aStaleFileIsAProblemInHealthAndTheEndpointAndRefusesTraffic() throws Exception {
		Path first = this.dir.resolve("first.db");
		replicate(first, 10);
		Path second = this.dir.resolve("second.db");
		new Restorer().restore(new FileReplicaClient(replica()),
				RestoreOptions.latest(second).withContinueGeneration(true));
		replicate(second, 5);

		try (Litestream engine = new Litestream()) {
			List<Object> events = new CopyOnWriteArrayList<>();
			new LitestreamReadiness(engine, new LitestreamStandbys(Clock.systemUTC()), events::add,
					new StaticListableBeanFactory().getBeanProvider(ApplicationAvailability.class));
			engine.start();
			ReplicatedDatabase database = new DatabaseRegistry(engine).register(DatabaseOptions.defaults(first), LEASE,
					List.of(target()));
			await().atMost(Duration.ofSeconds(30)).until(() -> engine.staleFile(database).isPresent());

			ReplicaLagTracker lag = new ReplicaLagTracker(engine, Clock.systemUTC());
			Health health = new LitestreamHealthIndicator(engine, lag, new LitestreamHealthProperties(),
					Clock.systemUTC())
				.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails().get("problems")).asString()
				.contains(database.path() + " is stale and is not replicated")
				.contains("another instance held the lease of replica 'file'")
				.contains("restore-on-boot");
			Map<?, ?> details = (Map<?, ?>) ((Map<?, ?>) health.getDetails().get("databases"))
				.get(database.path().toString());
			assertThat(details.get("staleSince")).isNotNull();
			DatabaseDescriptor described = new LitestreamEndpoint(engine, lag).litestream().databases().get(0);
			assertThat(described.staleSince()).isEqualTo(engine.staleFile(database).orElseThrow().since());
			assertThat(described.staleReason()).contains("behind the replica's newest backup");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> events.stream()
					.anyMatch((event) -> event instanceof AvailabilityChangeEvent<?> change
							&& change.getState() == ReadinessState.REFUSING_TRAFFIC));
			engine.stop(Duration.ofSeconds(2));
		}
	}

	/** Writes rows to a database replicated with a lease, ships them and stops cleanly. */
	private void replicate(Path file, int rows) throws Exception {
		try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + file);
				Litestream engine = new Litestream()) {
			try (Statement statement = app.createStatement()) {
				statement.execute("PRAGMA journal_mode=WAL");
				statement.execute("PRAGMA wal_autocheckpoint=0");
				statement.execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, text TEXT)");
			}
			ReplicatedDatabase database = engine.addDatabase(DatabaseOptions.defaults(file), LEASE, List.of(target()));
			engine.start();
			try (Statement statement = app.createStatement()) {
				for (int i = 0; i < rows; i++) {
					statement.execute("INSERT INTO item (text) VALUES ('row-" + i + "')");
				}
			}
			Replica replica = engine.replicas(database).get(0);
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
				engine.syncNow(replica).get();
				return replica.position().equals(engine.commitPosition(database));
			});
			assertThat(engine.stop(Duration.ofSeconds(10))).isTrue();
		}
	}

	private ReplicationTarget target() {
		return new ReplicationTarget(new FileReplicaClient(replica()),
				ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(100)));
	}

	private Path replica() {
		return this.dir.resolve("replica");
	}

}
