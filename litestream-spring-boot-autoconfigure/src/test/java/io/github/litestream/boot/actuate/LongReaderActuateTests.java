package io.github.litestream.boot.actuate;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A read transaction that stays open while the application writes keeps the engine's
 * checkpoints from restarting the WAL: metrics count it and health explains it, without
 * calling the instance unhealthy.
 */
@SuppressWarnings("unchecked")
class LongReaderActuateTests {

	private static final int MAX_CHECKPOINT_PAGES = 16;

	private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

	private TestReplication replication;

	private Connection reader;

	private LitestreamHealthIndicator health;

	@BeforeEach
	void setUp() throws Exception {
		this.replication = TestReplication.create(Duration.ZERO);
		ReplicaLagTracker lag = new ReplicaLagTracker(this.replication.litestream, Clock.systemUTC());
		LitestreamMetrics metrics = new LitestreamMetrics(this.replication.litestream, lag,
				new ReplicaOperationMetrics());
		metrics.bindTo(this.registry);
		// Begun before replication starts, while the application's first frames are in the WAL
		// and nothing checkpointed them: this reader certainly pins the WAL.
		this.reader = DriverManager.getConnection("jdbc:sqlite:" + this.replication.dbPath);
		try (Statement statement = this.reader.createStatement()) {
			statement.execute("BEGIN");
			try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM t")) {
				rs.next();
			}
		}
		this.replication.register(null, MAX_CHECKPOINT_PAGES).start();
		lag.attach();
		metrics.attach();
		LitestreamHealthProperties properties = new LitestreamHealthProperties();
		properties.setMaxFailureDuration(Duration.ofHours(1));
		properties.setMaxLag(Duration.ofHours(1));
		this.health = new LitestreamHealthIndicator(this.replication.litestream, lag, properties, Clock.systemUTC());
	}

	@AfterEach
	void tearDown() throws Exception {
		this.reader.close();
		this.replication.close();
	}

	@Test
	void aPinnedWalIsCountedAndExplainedWhileHealthStaysUp() throws Exception {
		Tags restart = Tags.of("db", this.replication.dbPath.toString(), "mode", "RESTART");
		this.replication.app.insert(4 * MAX_CHECKPOINT_PAGES);
		await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
			Health health = this.health.health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat((List<String>) health.getDetails().get("warnings")).singleElement()
				.asString()
				.contains("the WAL of " + this.replication.dbPath, "pages", "MiB", "max-checkpoint-page-count",
						"read transaction");
		});
		assertThat(this.registry.get("litestream.checkpoint.blocked").tags(restart).counter().count()).isPositive();
		assertThat(this.registry.scrape()).contains("litestream_checkpoint_blocked_total{");
		long index = this.replication.database().position().orElseThrow().index();
		this.reader.createStatement().execute("COMMIT");
		// The next checkpoint empties the WAL; the application's next write restarts it.
		await().atMost(Duration.ofMinutes(1))
			.untilAsserted(() -> assertThat(this.health.health().getDetails()).doesNotContainKey("warnings"));
		this.replication.app.insert(1);
		await().atMost(Duration.ofMinutes(1))
			.untilAsserted(() -> assertThat(this.replication.database().position().orElseThrow().index())
				.isGreaterThan(index));
	}

}
