package io.github.litestream.boot.actuate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.ReplicaStatus.ValidationResult;

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

	private static final String ORIGINAL = "validation-marker-original";

	private static final String TAMPERED = "validation-marker-tampered";

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

	@Test
	void downWhileTheWalCannotBeCopied() throws Exception {
		this.replication.register(null, 8).start();
		this.lag.attach();
		await().until(this.replication::caughtUp);
		LitestreamHealthIndicator indicator = indicator(Duration.ofMillis(500), Duration.ofHours(1));
		assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
		this.replication.breakLocalState();
		try {
			this.replication.app.insert(50);
			await().untilAsserted(() -> {
				Health health = indicator.health();
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				// The replica fails too here (it reads the moved shadow WAL); on a full disk it would not.
				assertThat((List<String>) health.getDetails().get("problems"))
					.anySatisfy((problem) -> assertThat(problem).contains("has not been copied for replication since")
						.contains(this.replication.database().path().toString()));
			});
		}
		finally {
			this.replication.repairLocalState();
		}
		await().untilAsserted(() -> assertThat(indicator.health().getStatus()).isEqualTo(Status.UP));
	}

	@Test
	void downWhileTheLastValidationDidNotMatch() throws Exception {
		this.replication.close();
		this.replication = TestReplication.create(Duration.ofMillis(300));
		this.lag = new ReplicaLagTracker(this.replication.litestream, Clock.systemUTC());
		this.replication.register(null).start();
		this.lag.attach();
		this.replication.app.execute("CREATE TABLE notes (text TEXT)");
		this.replication.app.execute("INSERT INTO notes VALUES ('" + ORIGINAL + "')");
		this.replication.litestream.snapshotNow(this.replication.replica()).get();
		LitestreamHealthIndicator indicator = indicator(Duration.ofHours(1), Duration.ofHours(1));
		await().until(() -> validated(true));
		assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
		// The first snapshot may have been taken while the row was still in the WAL only; the
		// validation's checkpoint put it into the file, so this one holds it.
		this.replication.litestream.snapshotNow(this.replication.replica()).get();
		// Somebody rewrites the snapshot: still a well-formed replica, but of other data.
		tamperWithSnapshots();
		await().untilAsserted(() -> {
			Health health = indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat((List<String>) health.getDetails().get("problems")).singleElement()
				.asString()
				.contains("replica 'file'", "does not restore to what the database held", "snapshot");
		});
		// A new snapshot is a restore point of this database again.
		this.replication.litestream.snapshotNow(this.replication.replica()).get();
		await().untilAsserted(() -> assertThat(indicator.health().getStatus()).isEqualTo(Status.UP));
	}

	private boolean validated(boolean matched) {
		ValidationResult validation = this.replication.replica().status().lastValidation();
		return validation != null && validation.matched() == matched;
	}

	private void tamperWithSnapshots() throws IOException {
		List<Path> snapshots;
		try (Stream<Path> files = Files.walk(this.replication.replicaFiles)) {
			snapshots = files.filter((file) -> file.toString().endsWith(".snapshot.lz4")).toList();
		}
		int tampered = 0;
		for (Path snapshot : snapshots) {
			byte[] database;
			try (InputStream in = Lz4.decompress(Files.newInputStream(snapshot))) {
				database = in.readAllBytes();
			}
			String text = new String(database, StandardCharsets.ISO_8859_1);
			if (text.contains(ORIGINAL)) {
				byte[] changed = text.replace(ORIGINAL, TAMPERED).getBytes(StandardCharsets.ISO_8859_1);
				try (OutputStream out = Lz4.compress(Files.newOutputStream(snapshot))) {
					out.write(changed);
				}
				tampered++;
			}
		}
		assertThat(tampered).as("snapshots holding the marker row").isPositive();
	}

	private LitestreamHealthIndicator indicator(Duration maxFailure, Duration maxLag) {
		LitestreamHealthProperties properties = new LitestreamHealthProperties();
		properties.setMaxFailureDuration(maxFailure);
		properties.setMaxLag(maxLag);
		return new LitestreamHealthIndicator(this.replication.litestream, this.lag, properties, Clock.systemUTC());
	}

}
