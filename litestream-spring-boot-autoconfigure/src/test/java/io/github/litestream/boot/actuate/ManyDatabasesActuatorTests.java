package io.github.litestream.boot.actuate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.litestream.AppDatabase;
import io.github.litestream.DatabaseRegistry;
import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The endpoint, health and metrics with more databases than fit on a page, in the health
 * details or in the metric tags: a real engine replicating thirty databases, one of whose
 * replicas fails.
 */
class ManyDatabasesActuatorTests {

	private static final int DATABASES = 30;

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	private final Litestream litestream = new Litestream();

	private final ReplicaOperationMetrics operations = new ReplicaOperationMetrics();

	private final List<AppDatabase> apps = new ArrayList<>();

	private ReplicaLagTracker lag;

	@BeforeEach
	void start() throws Exception {
		Path notADirectory = Files.writeString(this.dir.resolve("not-a-directory"), "x");
		for (int n = 0; n < DATABASES; n++) {
			Path path = this.dir.resolve("tenant-" + n + ".db");
			this.apps.add(new AppDatabase(path));
			// Tenant 13's replica lies below a regular file: every write to it fails.
			Path replica = (n == 13) ? notADirectory.resolve("replica") : this.dir.resolve("replicas/tenant-" + n);
			this.litestream.addDatabase(DatabaseOptions.defaults(path).withMonitorInterval(FAST),
					List.of(new ReplicationTarget(
							new FileReplicaClient(replica, this.operations.listenerFor(path, "file")),
							ReplicaOptions.defaults("file").withSyncInterval(FAST))));
		}
		this.lag = new ReplicaLagTracker(this.litestream, Clock.systemUTC());
		this.litestream.onStarting(this.lag::attach);
		this.litestream.start();
		for (AppDatabase app : this.apps) {
			app.insert(3);
		}
	}

	@AfterEach
	void stop() throws Exception {
		this.litestream.stop(Duration.ofSeconds(30));
		for (AppDatabase app : this.apps) {
			app.close();
		}
		this.litestream.close();
	}

	@Test
	void theEndpointListsAPageAtATimeFilteredByPathOrByProblems() {
		LitestreamEndpoint endpoint = new LitestreamEndpoint(this.litestream, this.lag);
		LitestreamEndpoint.LitestreamDescriptor first = endpoint.litestream(null, null, 0, 20);
		assertThat(first.total()).isEqualTo(DATABASES);
		assertThat(first.matched()).isEqualTo(DATABASES);
		assertThat(first.databases()).hasSize(20);
		assertThat(first.databases().get(0).path()).endsWith("tenant-0.db");
		LitestreamEndpoint.LitestreamDescriptor second = endpoint.litestream(null, null, 1, 20);
		assertThat(second.databases()).hasSize(10);
		assertThat(second.databases().get(0).path()).endsWith("tenant-20.db");
		assertThat(endpoint.litestream("tenant-2", null, null, null).databases())
			.extracting(LitestreamEndpoint.DatabaseDescriptor::path)
			.allMatch((path) -> path.contains("tenant-2"))
			.hasSize(11);
		await().untilAsserted(() -> assertThat(endpoint.litestream(null, true, null, null).databases())
			.singleElement()
			.satisfies((database) -> assertThat(database.path()).endsWith("tenant-13.db")));
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> endpoint.litestream(null, null, 0, 5000))
			.withMessageContaining("size must be 1 to 1000");
	}

	@Test
	@SuppressWarnings("unchecked")
	void healthCountsPastMaxDetailsAndStillNamesTheProblem() {
		LitestreamHealthProperties properties = new LitestreamHealthProperties();
		properties.setMaxFailureDuration(Duration.ZERO);
		properties.setMaxDetails(10);
		LitestreamHealthIndicator indicator = new LitestreamHealthIndicator(this.litestream, this.lag, properties,
				Clock.systemUTC());
		await().untilAsserted(() -> {
			Health health = indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat((List<String>) health.getDetails().get("problems")).singleElement()
				.asString()
				.contains("tenant-13.db");
			assertThat(health.getDetails()).doesNotContainKey("databases");
			assertThat((Map<String, Object>) health.getDetails().get("summary")).containsEntry("databases", DATABASES)
				.containsEntry("replicas", DATABASES)
				.containsEntry("replicasWithProblems", 1);
		});
		properties.setMaxDetails(100);
		assertThat((Map<String, Object>) indicator.health().getDetails().get("databases")).hasSize(DATABASES);
	}

	@Test
	void metricTagsStayBoundedAndTheOthersAreCountedTogether() throws Exception {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		LitestreamMetrics metrics = new LitestreamMetrics(this.litestream, this.lag, this.operations, 5);
		metrics.bindTo(registry);
		assertThat(databaseTags(registry)).hasSize(6).contains(LitestreamMetrics.OTHER);
		assertThat(registry.get("litestream.databases").gauge().value()).isEqualTo(DATABASES);
		await().untilAsserted(() -> assertThat(requests(registry, LitestreamMetrics.OTHER)).isPositive());
		Set<String> before = databaseTags(registry);
		String tagged = before.stream().filter((tag) -> tag.endsWith("tenant-0.db")).findFirst().orElseThrow();
		String counted = this.dir.resolve("tenant-29.db").toAbsolutePath().toString();
		assertThat(before).doesNotContain(counted);
		DatabaseRegistry databases = new DatabaseRegistry(this.litestream);
		double other = requests(registry, LitestreamMetrics.OTHER);
		this.apps.get(0).close();
		databases.unregister(Path.of(tagged), Duration.ofSeconds(30), Backups.KEEP);
		this.apps.get(29).close();
		databases.unregister(Path.of(counted), Duration.ofSeconds(30), Backups.KEEP);
		Path added = this.dir.resolve("tenant-added.db");
		try (AppDatabase app = new AppDatabase(added)) {
			databases.register(DatabaseOptions.defaults(added), List.of());
			Set<String> after = databaseTags(registry);
			assertThat(after).as("the freed place goes to the database added, not one counted under (other)")
				.hasSize(6)
				.doesNotContain(tagged)
				.contains(added.toAbsolutePath().toString());
		}
		assertThat(requests(registry, LitestreamMetrics.OTHER)).as("(other) only grows").isGreaterThanOrEqualTo(other);
	}

	@Test
	void aDatabaseRegisteredAgainAtTheSamePathGetsMetersReadingTheNewOne() throws Exception {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		LitestreamMetrics metrics = new LitestreamMetrics(this.litestream, this.lag, this.operations, 5);
		metrics.bindTo(registry);
		Path path = this.dir.resolve("tenant-1.db");
		String tag = path.toAbsolutePath().toString();
		await().until(() -> offset(registry, tag) > 0);
		DatabaseRegistry databases = new DatabaseRegistry(this.litestream);
		double old = offset(registry, tag);
		databases.unregister(path, Duration.ofSeconds(30), Backups.KEEP);
		assertThat(databaseTags(registry)).as("removed with the database").doesNotContain(tag);
		ReplicatedDatabase again = databases.register(DatabaseOptions.defaults(path).withMonitorInterval(FAST),
				List.of(new ReplicationTarget(new FileReplicaClient(this.dir.resolve("replicas/tenant-1-again")),
						ReplicaOptions.defaults("file").withSyncInterval(FAST))));
		this.apps.get(1).insert(50);
		Replica replica = this.litestream.replicas(again).get(0);
		await().untilAsserted(() -> {
			assertThat(replica.position()).isPresent();
			assertThat(offset(registry, tag)).isNotEqualTo(old).isEqualTo((double) replica.position().get().offset());
		});
	}

	@Test
	void anUnregisteredDatabaseLosesItsMetersAndItsCountsAtOnce() throws Exception {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		LitestreamMetrics metrics = new LitestreamMetrics(this.litestream, this.lag, this.operations, 5);
		metrics.bindTo(registry);
		String tagged = this.dir.resolve("tenant-0.db").toAbsolutePath().toString();
		String counted = this.dir.resolve("tenant-29.db").toAbsolutePath().toString();
		await().untilAsserted(() -> assertThat(requests(registry, tagged)).isPositive());
		assertThat(countedDatabases()).contains(tagged, counted);
		DatabaseRegistry databases = new DatabaseRegistry(this.litestream);
		this.apps.get(0).close();
		databases.unregister(Path.of(tagged), Duration.ofSeconds(30), Backups.KEEP);
		this.apps.get(29).close();
		databases.unregister(Path.of(counted), Duration.ofSeconds(30), Backups.KEEP);
		// No database was added since, which used to be what removed them.
		assertThat(databaseTags(registry)).doesNotContain(tagged);
		assertThat(countedDatabases()).doesNotContain(tagged, counted);
	}

	private Set<String> countedDatabases() {
		return this.operations.counts()
			.keySet()
			.stream()
			.map(ReplicaOperationMetrics.Key::database)
			.collect(Collectors.toSet());
	}

	private static double offset(SimpleMeterRegistry registry, String db) {
		return registry.get("litestream.replica.wal.offset").tag("db", db).gauge().value();
	}

	@Test
	void theLagTrackerForgetsTheDatabasesThatWereUnregistered() throws Exception {
		DatabaseRegistry databases = new DatabaseRegistry(this.litestream);
		assertThat(this.lag.tracked()).isEqualTo(2 * DATABASES);
		for (int n = 0; n < 3; n++) {
			Path tenant = this.dir.resolve("tenant-" + n + ".db");
			this.apps.get(n).close();
			databases.unregister(tenant, Duration.ofSeconds(30), Backups.KEEP);
			Path added = this.dir.resolve("churned-" + n + ".db");
			try (AppDatabase app = new AppDatabase(added)) {
				databases.register(DatabaseOptions.defaults(added),
						List.of(new ReplicationTarget(new FileReplicaClient(this.dir.resolve("replicas/churned-" + n)),
								ReplicaOptions.defaults("file"))));
			}
		}
		assertThat(this.lag.tracked()).as("one database and one replica per registered database, no more")
			.isEqualTo(2 * this.litestream.databases().size())
			.isEqualTo(2 * DATABASES);
	}

	private static Set<String> databaseTags(SimpleMeterRegistry registry) {
		return registry.getMeters()
			.stream()
			.map(Meter::getId)
			.map((id) -> id.getTag("db"))
			.filter((tag) -> tag != null)
			.collect(Collectors.toSet());
	}

	private static double requests(SimpleMeterRegistry registry, String db) {
		return registry.find("litestream.replica.operations")
			.tag("db", db)
			.functionCounters()
			.stream()
			.mapToDouble(FunctionCounter::count)
			.sum();
	}

}
