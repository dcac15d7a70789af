package io.github.litestream.boot.actuate;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.DatabaseRegistry;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.boot.actuate.LitestreamEndpoint.DatabaseDescriptor;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A database registered while the application runs on a file whose replica's lease another
 * instance held before: nothing of it is replicated until the file was compared with that
 * replica, and while the replica cannot be listed, the comparison waits. Health (still UP:
 * nothing is known to be wrong) and the endpoint say so, instead of showing only a growing lag.
 * A real Spring context with the actuate auto-configurations, a real engine, real SQLite files
 * and a real file replica.
 */
class AwaitedComparisonReportTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamReplicaLagAutoConfiguration.class,
				LitestreamEndpointAutoConfiguration.class, LitestreamHealthContributorAutoConfiguration.class))
		.withBean(Litestream.class, Litestream::new)
		.withPropertyValues("management.endpoints.web.exposure.include=litestream");

	@TempDir
	Path dir;

	@Test
	void healthAndTheEndpointSayWhichComparisonTheFileAwaits() throws Exception {
		Path file = this.dir.resolve("app.db");
		replicateAndStop(file);
		AtomicBoolean unlisted = new AtomicBoolean(true);
		ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(replica())) {
			@Override
			public List<String> generations() throws IOException {
				if (unlisted.get()) {
					throw new IOException("listing unavailable");
				}
				return super.generations();
			}
		};
		this.runner.run((context) -> {
			Litestream engine = context.getBean(Litestream.class);
			engine.start();
			ReplicatedDatabase database = new DatabaseRegistry(engine).register(DatabaseOptions.defaults(file), LEASE,
					List.of(target(client)));
			HealthIndicator indicator = context.getBean("litestreamHealthIndicator", HealthIndicator.class);
			LitestreamEndpoint endpoint = context.getBean(LitestreamEndpoint.class);

			await().atMost(Duration.ofSeconds(30))
				.until(() -> engine.awaitedComparison(database).filter((awaited) -> awaited.leaseTaken()).isPresent());
			Health health = indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails().get("warnings")).asString()
				.contains(database.path() + " awaits its comparison with replica 'file'")
				.contains("nothing of it is written to any of its replicas");
			Map<?, ?> details = (Map<?, ?>) ((Map<?, ?>) health.getDetails().get("databases"))
				.get(database.path().toString());
			assertThat(details.get("awaitingComparisonWith")).isEqualTo("file");
			assertThat(details.get("awaitingComparisonSince"))
				.isEqualTo(engine.awaitedComparison(database).orElseThrow().since());
			DatabaseDescriptor described = endpoint.litestream().databases().get(0);
			assertThat(described.awaitingComparisonWith()).isEqualTo("file");
			assertThat(described.awaitingComparisonSince()).isNotNull();
			assertThat(described.staleSince()).isNull();

			// The store answers: the file is not behind, so it is replicated and the warning goes.
			unlisted.set(false);
			Replica replica = engine.replicas(database).get(0);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> replica.position().equals(engine.commitPosition(database)));
			Health after = indicator.health();
			assertThat(after.getDetails()).doesNotContainKey("warnings");
			assertThat(endpoint.litestream().databases().get(0).awaitingComparisonWith()).isNull();
			engine.stop(Duration.ofSeconds(10));
		});
	}

	/** Another instance: replicates a few rows with a lease, ships them and stops cleanly. */
	private void replicateAndStop(Path file) throws Exception {
		try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + file);
				Litestream engine = new Litestream()) {
			try (Statement statement = app.createStatement()) {
				statement.execute("PRAGMA journal_mode=WAL");
				statement.execute("PRAGMA wal_autocheckpoint=0");
				statement.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, text TEXT)");
				statement.execute("INSERT INTO item (text) VALUES ('one')");
			}
			ReplicatedDatabase database = engine.addDatabase(DatabaseOptions.defaults(file), LEASE,
					List.of(target(new FileReplicaClient(replica()))));
			engine.start();
			Replica replica = engine.replicas(database).get(0);
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
				engine.syncNow(replica).get();
				return replica.position().equals(engine.commitPosition(database));
			});
			assertThat(engine.stop(Duration.ofSeconds(10))).isTrue();
		}
	}

	private static ReplicationTarget target(ReplicaClient client) {
		return new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(100)));
	}

	private Path replica() {
		return this.dir.resolve("replica");
	}

}
