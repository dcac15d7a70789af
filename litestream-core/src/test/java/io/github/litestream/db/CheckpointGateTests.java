package io.github.litestream.db;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * {@link CheckpointGate}: a procedure runs only when no snapshot holds the checkpoint lock (and
 * is then recorded as held back), ends the hold when it runs, restarts the policy's interval and
 * is reported only when it completed, and always lets go of the lock.
 */
class CheckpointGateTests {

	private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

	private final ReentrantLock checkpointLock = new ReentrantLock();

	private final CheckpointHold hold = new CheckpointHold("app.db", Clock.fixed(NOW, ZoneOffset.UTC), Duration.ZERO);

	private final CheckpointPolicy policy = new CheckpointPolicy(DatabaseOptions.defaults(Path.of("app.db")),
			Clock.fixed(NOW, ZoneOffset.UTC), System::nanoTime);

	private final List<String> events = new CopyOnWriteArrayList<>();

	private final CheckpointGate gate = new CheckpointGate("app.db", this.checkpointLock, this.hold, this.policy,
			List.of(new DatabaseListener() {

				@Override
				public void onCheckpoint(CheckpointMode mode, Duration duration) {
					CheckpointGateTests.this.events.add("checkpoint " + mode);
				}

				@Override
				public void onCheckpointError(CheckpointMode mode, Exception error) {
					CheckpointGateTests.this.events.add("error " + mode + ": " + error.getMessage());
				}

			}));

	@Test
	void aCheckpointWhileASnapshotReadsTheDatabaseDoesNotRunAndIsRecordedAsHeldBack() throws Exception {
		List<String> ran = new CopyOnWriteArrayList<>();
		SnapshotHoldingLock.whileHeld(this.checkpointLock,
				() -> this.gate.run(CheckpointMode.RESTART, () -> ran.add("ran")));
		assertThat(ran).isEmpty();
		assertThat(this.events).isEmpty();
		assertThat(this.hold.current()).isPresent();
		assertThat(this.policy.lastCheckpointAt()).isNull();
	}

	@Test
	void aProcedureThatRanEndsTheHoldRestartsTheIntervalAndIsReported() throws Exception {
		SnapshotHoldingLock.whileHeld(this.checkpointLock, () -> this.gate.run(CheckpointMode.PASSIVE, () -> {
		}));
		List<String> ran = new CopyOnWriteArrayList<>();
		this.gate.run(CheckpointMode.PASSIVE,
				() -> ran.add("ran while holding: " + this.checkpointLock.isHeldByCurrentThread()));
		assertThat(ran).containsExactly("ran while holding: true");
		assertThat(this.events).containsExactly("checkpoint PASSIVE");
		assertThat(this.hold.current()).isEmpty();
		assertThat(this.policy.lastCheckpointAt()).isEqualTo(NOW);
		assertThat(this.checkpointLock.isLocked()).isFalse();
	}

	@Test
	void aProcedureSqliteRefusedIsReportedAsAnErrorAndDoesNotRestartTheInterval() throws Exception {
		this.gate.run(CheckpointMode.RESTART, () -> {
			throw new SQLException("database is locked");
		});
		assertThat(this.events).containsExactly("error RESTART: database is locked");
		assertThat(this.policy.lastCheckpointAt()).isNull();
		assertThat(this.checkpointLock.isLocked()).isFalse();
	}

	@Test
	void aProcedureThatCannotWriteTheShadowWalFailsUnreportedAndLetsGoOfTheLock() {
		assertThatIOException().isThrownBy(() -> this.gate.run(CheckpointMode.PASSIVE, () -> {
			throw new IOException("disk full");
		})).withMessage("disk full");
		assertThat(this.events).isEmpty();
		assertThat(this.policy.lastCheckpointAt()).isNull();
		assertThat(this.checkpointLock.isLocked()).isFalse();
	}

}
