package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.Litestream.ReplicaValidation;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus.ValidationResult;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * When {@link ReplicaMaintenance} runs retention and validation, on a real replica of a real
 * database: the times are the task's step times, handed in, so no clock moves.
 */
class ReplicaMaintenanceTests {

	private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	private static final Duration SYNC_INTERVAL = Duration.ofSeconds(1);

	@TempDir
	Path dir;

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	@AfterEach
	void stopTimer() {
		this.timer.shutdownNow();
	}

	@Test
	void aValidationThatCouldNotRunIsTriedAgainAfterTheSyncIntervalDoublingUpToTheValidationInterval()
			throws Exception {
		AtomicBoolean busy = new AtomicBoolean(true);
		AtomicInteger attempts = new AtomicInteger();
		ReplicaValidation validation = (replica) -> {
			attempts.incrementAndGet();
			if (busy.get()) {
				throw new IOException("the database was busy");
			}
			return new ValidationResult(START, new Pos("0123456789abcdef", 1, 0), true, "ok");
		};
		Replica replica = new Replica(new ReplicatedDatabase(DatabaseOptions.defaults(this.dir.resolve("app.db"))),
				new FileReplicaClient(this.dir.resolve("replica")),
				options().withValidationInterval(Duration.ofSeconds(10)));
		ReplicaMaintenance maintenance = new ReplicaMaintenance(replica, validation, START);
		Instant at = failsAgainAfter(maintenance::validateIfDue, START, Duration.ofSeconds(10), attempts);
		// 1 s, 2 s, 4 s, 8 s, then the validation interval (10 s), not 16 s.
		for (long wait : new long[] { 1, 2, 4, 8, 10, 10 }) {
			at = failsAgainAfter(maintenance::validateIfDue, at, Duration.ofSeconds(wait), attempts);
		}
		busy.set(false);
		maintenance.validateIfDue(at.plusSeconds(10));
		assertThat(replica.status().lastValidation()).isNotNull();
		// A validation that ran waits a whole interval again; the next failure starts over at 1 s.
		busy.set(true);
		at = failsAgainAfter(maintenance::validateIfDue, at.plusSeconds(10), Duration.ofSeconds(10), attempts);
		failsAgainAfter(maintenance::validateIfDue, at, Duration.ofSeconds(1), attempts);
	}

	@Test
	void retentionRunsAtStartOnceSyncedAndAFailedPassIsTriedAgainDoublingUpToTheRetention() throws Exception {
		AtomicInteger passes = new AtomicInteger();
		// Only retention lists the generations, and fails there.
		ReplicaClient down = new ForwardingReplicaClient(new FileReplicaClient(this.dir.resolve("replica"))) {
			@Override
			public List<String> generations() throws IOException {
				passes.incrementAndGet();
				throw new IOException("the store is down");
			}
		};
		Path path = this.dir.resolve("app.db");
		try (AppDatabase app = new AppDatabase(path); ReplicatedDatabase database = new ReplicatedDatabase(
				DatabaseOptions.defaults(path))) {
			app.insert(3);
			database.open();
			// A check interval longer than the retention is capped at the retention.
			Replica replica = new Replica(database, down,
					options().withRetention(Duration.ofMinutes(30), Duration.ofHours(24)));
			ReplicaMaintenance maintenance = new ReplicaMaintenance(replica, null, START);
			SnapshotUploads uploads = new SnapshotUploads(replica, Runnable::run,
					new SerialLane("test", Runnable::run, this.timer));
			// Nothing to keep before the replica has synced.
			maintenance.enforceRetentionIfDue(START, uploads);
			assertThat(passes).hasValue(0);
			// Due at once, not one check interval after start.
			replica.sync();
			Pass retention = (now) -> maintenance.enforceRetentionIfDue(now, uploads);
			Instant at = failsAgainAfter(retention, START, Duration.ZERO, passes);
			// 1 s doubled up to 1024 s, then the retention (1800 s), not 2048 s.
			for (long wait : new long[] { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1800, 1800 }) {
				// A failed pass forgets the replica's position: the task's next step syncs first.
				replica.sync();
				at = failsAgainAfter(retention, at, Duration.ofSeconds(wait), passes);
			}
		}
	}

	private static ReplicaOptions options() {
		return ReplicaOptions.defaults("file").withSyncInterval(SYNC_INTERVAL);
	}

	/**
	 * Asserts that a pass last run at {@code last} does not run again before {@code wait}
	 * passed, and does then (and fails).
	 * @return when it ran
	 */
	private static Instant failsAgainAfter(Pass pass, Instant last, Duration wait, AtomicInteger attempts)
			throws IOException {
		int before = attempts.get();
		Instant due = last.plus(wait);
		pass.runIfDue(due.minusMillis(1));
		assertThat(attempts).as("attempts before %s", wait).hasValue(before);
		assertThatIOException().isThrownBy(() -> pass.runIfDue(due));
		assertThat(attempts).as("attempts after %s", wait).hasValue(before + 1);
		return due;
	}

	@FunctionalInterface
	private interface Pass {

		void runIfDue(Instant now) throws IOException;

	}

}
