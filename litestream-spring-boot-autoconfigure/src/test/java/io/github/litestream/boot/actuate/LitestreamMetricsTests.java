package io.github.litestream.boot.actuate;

import java.time.Clock;
import java.time.Duration;

import io.github.litestream.ReplicaQuorum;
import io.github.litestream.ReplicationWait;
import io.github.litestream.replica.Pos;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Micrometer binder against a real engine, database and file replica: meters move with
 * writes, syncs, checkpoints, snapshots, validations and replica requests, in every bound
 * registry, under the Prometheus names the documentation lists.
 */
class LitestreamMetricsTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

	private TestReplication replication;

	private Tags db;

	private Tags replica;

	@BeforeEach
	void setUp() throws Exception {
		this.replication = TestReplication.create(Duration.ofMillis(300));
		ReplicaOperationMetrics operations = new ReplicaOperationMetrics();
		ReplicaLagTracker lag = new ReplicaLagTracker(this.replication.litestream, Clock.systemUTC());
		LitestreamMetrics metrics = new LitestreamMetrics(this.replication.litestream, lag, operations);
		// As in an application: registries are bound before replication registers databases.
		metrics.bindTo(this.registry);
		metrics.bindTo(this.prometheus);
		this.replication.register(operations).start();
		lag.attach();
		metrics.attach();
		this.db = Tags.of("db", this.replication.dbPath.toString());
		this.replica = this.db.and("replica", "file");
	}

	@AfterEach
	void tearDown() throws Exception {
		this.replication.close();
	}

	@Test
	void databaseMetersMoveWithWritesSyncsAndCheckpoints() throws Exception {
		await().until(this.replication::caughtUp);
		double walBytes = counter("litestream.wal.bytes", this.db);
		long syncs = this.registry.get("litestream.sync").tags(this.db).timer().count();
		double dbSize = gauge("litestream.db.size", this.db);
		long checkpoints = checkpoints();
		this.replication.app.insert(50);
		await().untilAsserted(() -> {
			assertThat(counter("litestream.wal.bytes", this.db)).isGreaterThan(walBytes);
			assertThat(this.registry.get("litestream.sync").tags(this.db).timer().count()).isGreaterThan(syncs);
			assertThat(checkpoints()).isGreaterThan(checkpoints);
			assertThat(gauge("litestream.db.size", this.db)).isGreaterThan(dbSize);
		});
		Pos pos = this.replication.database().position().orElseThrow();
		assertThat(gauge("litestream.shadow.wal.index", this.db)).isGreaterThanOrEqualTo(pos.index());
		assertThat(gauge("litestream.shadow.wal.size", this.db)).isPositive();
		assertThat(gauge("litestream.wal.size", this.db)).isEqualTo(this.replication.database().walSize());
		assertThat(counter("litestream.sync.errors", this.db)).isZero();
	}

	@Test
	void replicaMetersFollowTheReplica() throws Exception {
		this.replication.app.insert(20);
		this.replication.litestream.snapshotNow(this.replication.replica()).get();
		await().untilAsserted(() -> {
			assertThat(this.replication.caughtUp()).isTrue();
			Pos pos = this.replication.replica().position().orElseThrow();
			assertThat(gauge("litestream.replica.wal.index", this.replica)).isEqualTo(pos.index());
			assertThat(gauge("litestream.replica.wal.offset", this.replica)).isEqualTo(pos.offset());
			assertThat(gauge("litestream.replica.lag", this.replica)).isZero();
			assertThat(this.registry.get("litestream.snapshot").tags(this.replica).timer().count()).isPositive();
			assertThat(counter("litestream.replica.validations", this.replica.and("status", "matched"))).isPositive();
		});
		assertThat(counter("litestream.replica.validations", this.replica.and("status", "mismatched"))).isZero();
	}

	@Test
	void replicaOperationsAreCountedByKind() throws Exception {
		Tags put = this.replica.and("operation", "PUT");
		await().until(() -> functionCounter("litestream.replica.operations", put) > 0);
		double puts = functionCounter("litestream.replica.operations", put);
		double putBytes = functionCounter("litestream.replica.operation.bytes", put);
		this.replication.app.insert(20);
		await().untilAsserted(() -> {
			assertThat(functionCounter("litestream.replica.operations", put)).isGreaterThan(puts);
			assertThat(functionCounter("litestream.replica.operation.bytes", put)).isGreaterThan(putBytes);
		});
		assertThat(functionCounter("litestream.replica.operations", this.replica.and("operation", "LIST")))
			.isPositive();
	}

	@Test
	void replicaErrorsAndLagShowAFailingReplica() throws Exception {
		await().until(this.replication::caughtUp);
		this.replication.breakReplica();
		this.replication.app.insert(5);
		await().untilAsserted(() -> {
			assertThat(counter("litestream.replica.errors", this.replica)).isPositive();
			assertThat(gauge("litestream.replica.lag", this.replica)).isGreaterThan(0.2);
			assertThat(gauge("litestream.replica.wal.index", this.replica)).isNaN();
		});
		this.replication.repairReplica();
		await().untilAsserted(() -> assertThat(gauge("litestream.replica.lag", this.replica)).isZero());
	}

	@Test
	void synchronousWaitsAreTimedCountedAndGrouped() throws Exception {
		await().until(this.replication::caughtUp);
		this.replication.app.insert(3);
		ReplicationWait wait = this.replication.litestream.awaitReplicated(this.replication.database(),
				ReplicaQuorum.ANY, Duration.ofSeconds(10));
		assertThat(wait.replicated()).isTrue();
		this.replication.app.insert(1);
		this.replication.litestream.awaitReplicated(this.replication.database(), ReplicaQuorum.ANY,
				Duration.ofSeconds(10));
		Timer waits = this.registry.get("litestream.replication.wait").tags(this.db.and("outcome", "replicated")).timer();
		assertThat(waits.count()).isEqualTo(2);
		assertThat(waits.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
		assertThat(this.registry.get("litestream.replication.wait.group.size").tags(this.replica).summary().count())
			.isPositive();
		assertThat(this.registry.find("litestream.replication.wait.timeouts").counter()).as("none timed out").isNull();
		this.replication.breakReplica();
		this.replication.app.insert(1);
		assertThat(this.replication.litestream
			.awaitReplicated(this.replication.database(), ReplicaQuorum.ANY, Duration.ofMillis(300))
			.outcome()).isEqualTo(ReplicationWait.Outcome.TIMED_OUT);
		assertThat(counter("litestream.replication.wait.timeouts", this.db)).isEqualTo(1);
		assertThat(this.registry.get("litestream.replication.wait").tags(this.db.and("outcome", "timed_out")).timer().count())
			.isEqualTo(1);
		Thread.currentThread().interrupt();
		assertThat(this.replication.litestream
			.awaitReplicated(this.replication.database(), ReplicaQuorum.ANY, Duration.ofSeconds(10))
			.outcome()).isEqualTo(ReplicationWait.Outcome.INTERRUPTED);
		assertThat(Thread.interrupted()).isTrue();
		assertThat(counter("litestream.replication.wait.timeouts", this.db)).as("an interrupt is no timeout")
			.isEqualTo(1);
		assertThat(this.registry.get("litestream.replication.wait").tags(this.db.and("outcome", "interrupted")).timer()
			.count()).isEqualTo(1);
		this.replication.repairReplica();
		assertThat(this.prometheus.scrape()).contains("litestream_replication_wait_seconds{",
				"litestream_replication_wait_seconds_count{", "quantile=\"0.99\"",
				"litestream_replication_wait_group_size_count{");
	}

	@Test
	void prometheusNames() throws Exception {
		this.replication.app.insert(20);
		// The first snapshot may precede attach(); this one is certainly seen.
		this.replication.litestream.snapshotNow(this.replication.replica()).get();
		await().until(() -> checkpoints() > 0);
		String scrape = this.prometheus.scrape();
		assertThat(scrape).contains("litestream_db_size_bytes{", "litestream_wal_size_bytes{",
				"litestream_wal_bytes_total{", "litestream_shadow_wal_index{", "litestream_shadow_wal_size_bytes{",
				"litestream_sync_seconds_count{", "litestream_sync_errors_total{", "litestream_checkpoint_seconds_count{",
				"litestream_checkpoint_errors_total{", "litestream_replica_wal_index{",
				"litestream_replica_wal_offset{", "litestream_replica_lag_seconds{",
				"litestream_replica_operations_total{", "litestream_replica_operation_bytes_total{",
				"litestream_replica_validations_total{", "litestream_snapshot_seconds_count{",
				"litestream_replica_errors_total{");
		assertThat(scrape).contains("db=\"" + this.replication.dbPath + "\"", "replica=\"file\"", "mode=\"PASSIVE\"",
				"operation=\"PUT\"", "status=\"matched\"");
	}

	/**
	 * Checkpoints of every mode: the monitor's PASSIVE one and a validation's RESTART one race
	 * for the same frames, and either may move them into the database file.
	 */
	private long checkpoints() {
		return LitestreamMetrics.CHECKPOINT_MODES.stream()
			.mapToLong((mode) -> this.registry.get("litestream.checkpoint").tags(this.db.and("mode", mode.name())).timer().count())
			.sum();
	}

	private double gauge(String name, Tags tags) {
		return this.registry.get(name).tags(tags).gauge().value();
	}

	private double counter(String name, Tags tags) {
		return this.registry.get(name).tags(tags).counter().count();
	}

	private double functionCounter(String name, Tags tags) {
		return this.registry.get(name).tags(tags).functionCounter().count();
	}

}
