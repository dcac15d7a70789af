package io.github.litestream.boot.actuate;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The health indicator's thresholds against a real engine whose replica really fails.
 */
@SuppressWarnings("unchecked")
class LitestreamHealthIndicatorTests {

	private TestReplication replication;

	private ReplicaLagTracker lag;

	@BeforeEach
	void setUp() throws Exception {
		this.replication = TestReplication.create(Duration.ZERO);
		this.lag = new ReplicaLagTracker(this.replication.litestream, Clock.systemUTC());
	}

	@AfterEach
	void tearDown() throws Exception {
		this.replication.close();
	}

	@Test
	void downWhenNotRunning() throws Exception {
		this.replication.register(null);
		Health health = indicator(Duration.ofMinutes(1), Duration.ofMinutes(5)).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat((List<Object>) health.getDetails().get("problems")).containsExactly("replication is not running");
	}

	@Test
	void lagAloneMakesItDown() throws Exception {
		this.replication.register(null).start();
		this.lag.attach();
		await().until(this.replication::caughtUp);
		// Failures are tolerated for an hour, lag for half a second.
		LitestreamHealthIndicator indicator = indicator(Duration.ofHours(1), Duration.ofMillis(500));
		assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
		this.replication.breakReplica();
		this.replication.app.insert(3);
		await().untilAsserted(() -> {
			Health health = indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat((List<String>) health.getDetails().get("problems")).singleElement()
				.asString()
				.contains("lags")
				.doesNotContain("failing");
		});
		this.replication.repairReplica();
		await().untilAsserted(() -> assertThat(indicator.health().getStatus()).isEqualTo(Status.UP));
	}

	private LitestreamHealthIndicator indicator(Duration maxFailure, Duration maxLag) {
		LitestreamHealthProperties properties = new LitestreamHealthProperties();
		properties.setMaxFailureDuration(maxFailure);
		properties.setMaxLag(maxLag);
		return new LitestreamHealthIndicator(this.replication.litestream, this.lag, properties, Clock.systemUTC());
	}

}
