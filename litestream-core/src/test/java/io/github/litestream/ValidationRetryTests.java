package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A validation that could not run (the database was busy, the replica unreadable) is tried
 * again after the sync interval, not a whole validation interval later.
 */
class ValidationRetryTests {

	@TempDir
	Path dir;

	@Test
	void aValidationThatCouldNotRunIsTriedAgainSoon() throws Exception {
		AtomicInteger attempts = new AtomicInteger();
		MutableClock clock = new MutableClock();
		Litestream engine = new Litestream(clock, (replica) -> {
			if (attempts.incrementAndGet() == 1) {
				throw new IOException("the database was busy; will try again");
			}
			return new ReplicaStatus.ValidationResult(Instant.now(), replica.position().orElseThrow(), true, "ok");
		});
		Path path = this.dir.resolve("app.db");
		try (AppDatabase app = new AppDatabase(path)) {
			app.insert(3);
			engine.addDatabase(DatabaseOptions.defaults(path).withMonitorInterval(Duration.ofMillis(50)),
					List.of(new ReplicationTarget(new FileReplicaClient(this.dir.resolve("replica")),
							ReplicaOptions.defaults("file")
								.withSyncInterval(Duration.ofMillis(50))
								.withValidationInterval(Duration.ofHours(1)))));
			engine.start();
			try {
				await().atMost(Duration.ofSeconds(30))
					.until(() -> engine.replicas(engine.databases().get(0)).get(0).position().isPresent());
				clock.advance(Duration.ofHours(1));
				await().atMost(Duration.ofSeconds(30)).until(() -> attempts.get() >= 1);
				// The clock stands still but for real time: another hour will not pass here.
				await().atMost(Duration.ofSeconds(30)).until(() -> attempts.get() >= 2);
				assertThat(engine.replicas(engine.databases().get(0)).get(0).status().lastValidation()).isNotNull();
			}
			finally {
				engine.stop(Duration.ofSeconds(30));
				engine.close();
			}
		}
	}

}
