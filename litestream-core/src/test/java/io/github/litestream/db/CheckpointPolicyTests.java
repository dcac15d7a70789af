package io.github.litestream.db;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.db.CheckpointPolicy.Action;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CheckpointPolicy}: which checkpoint the thresholds and the clock ask for, and the
 * once-a-second readers-wait rule.
 */
class CheckpointPolicyTests {

	private static final Duration INTERVAL = Duration.ofMinutes(1);

	private final SteppedClock clock = new SteppedClock();

	private final AtomicLong nanos = new AtomicLong(42);

	private final CheckpointPolicy policy = new CheckpointPolicy(
			DatabaseOptions.defaults(Path.of("app.db")).withCheckpoints(INTERVAL, 100, 1000), this.clock,
			this.nanos::get);

	@Test
	void nothingIsDueBeforeTheDatabaseIsOpened() {
		this.clock.advance(Duration.ofHours(1));
		assertThat(this.policy.due(99)).isEqualTo(Action.NONE);
		assertThat(this.policy.lastCheckpointAt()).isNull();
	}

	@Test
	void sizeThresholdsAreInclusive() {
		this.policy.checkpointed();
		assertThat(this.policy.due(0)).isEqualTo(Action.NONE);
		assertThat(this.policy.due(99)).isEqualTo(Action.NONE);
		assertThat(this.policy.due(100)).isEqualTo(Action.PASSIVE);
		assertThat(this.policy.due(999)).isEqualTo(Action.PASSIVE);
		assertThat(this.policy.due(1000)).isEqualTo(Action.RESTART);
		assertThat(this.policy.due(Long.MAX_VALUE)).isEqualTo(Action.RESTART);
	}

	@Test
	void sizeThresholdsDoNotWaitForTheInterval() {
		this.policy.checkpointed();
		this.policy.framesCheckpointed(500);
		assertThat(this.policy.due(500)).isEqualTo(Action.PASSIVE);
	}

	@Test
	void timeBasedCheckpointIsDueOnceTheIntervalPassedWithNewFrames() {
		this.policy.checkpointed();
		this.policy.framesCheckpointed(3);
		this.clock.advance(INTERVAL.minusMillis(1));
		assertThat(this.policy.due(10)).as("the interval has not passed").isEqualTo(Action.NONE);
		this.clock.advance(Duration.ofMillis(1));
		assertThat(this.policy.due(10)).isEqualTo(Action.IN_PLACE);
		assertThat(this.policy.due(3)).as("no frame since the last checkpoint").isEqualTo(Action.NONE);
		assertThat(this.policy.due(2)).as("fewer frames: a new index began").isEqualTo(Action.NONE);
	}

	@Test
	void aCheckpointStartsTheIntervalAgain() {
		this.policy.checkpointed();
		this.clock.advance(INTERVAL);
		assertThat(this.policy.due(10)).isEqualTo(Action.IN_PLACE);
		Instant before = this.policy.lastCheckpointAt();
		this.policy.checkpointed();
		assertThat(this.policy.lastCheckpointAt()).isEqualTo(before.plus(INTERVAL));
		assertThat(this.policy.due(10)).isEqualTo(Action.NONE);
		this.clock.advance(INTERVAL);
		assertThat(this.policy.due(10)).isEqualTo(Action.IN_PLACE);
	}

	@Test
	void anIdleDatabaseIsNotCheckpointedAgainAfterATimeBasedCheckpoint() {
		this.policy.checkpointed();
		this.clock.advance(INTERVAL);
		assertThat(this.policy.due(10)).isEqualTo(Action.IN_PLACE);
		this.policy.checkpointed();
		this.policy.framesCheckpointed(10);
		for (int i = 0; i < 5; i++) {
			this.clock.advance(INTERVAL);
			assertThat(this.policy.due(10)).isEqualTo(Action.NONE);
		}
		assertThat(this.policy.due(11)).isEqualTo(Action.IN_PLACE);
	}

	@Test
	void readersMayBeWaitedForAtMostOnceASecond() {
		assertThat(this.policy.mayWaitForReaders()).as("the first time").isTrue();
		assertThat(this.policy.mayWaitForReaders()).as("at once again").isFalse();
		this.nanos.addAndGet(CheckpointPolicy.READERS_WAIT_INTERVAL.toNanos() - 1);
		assertThat(this.policy.mayWaitForReaders()).as("just under a second later").isFalse();
		this.nanos.incrementAndGet();
		assertThat(this.policy.mayWaitForReaders()).as("a second later").isTrue();
		assertThat(this.policy.mayWaitForReaders()).isFalse();
		this.nanos.addAndGet(Duration.ofMinutes(5).toNanos());
		assertThat(this.policy.mayWaitForReaders()).as("long after").isTrue();
		assertThat(this.policy.mayWaitForReaders()).as("a long pause earns no extra waits").isFalse();
	}

	@Test
	void readersWaitRuleSurvivesTheNanoTimeWrappingAround() {
		this.nanos.set(Long.MAX_VALUE - 10);
		CheckpointPolicy policy = new CheckpointPolicy(DatabaseOptions.defaults(Path.of("app.db")), this.clock,
				this.nanos::get);
		assertThat(policy.mayWaitForReaders()).isTrue();
		this.nanos.addAndGet(CheckpointPolicy.READERS_WAIT_INTERVAL.toNanos() - 1);
		assertThat(policy.mayWaitForReaders()).isFalse();
		this.nanos.incrementAndGet();
		assertThat(policy.mayWaitForReaders()).isTrue();
	}

	/** A clock that moves only when told: thresholds are checked to the millisecond. */
	private static final class SteppedClock extends Clock {

		private Instant now = Instant.parse("2026-01-01T00:00:00Z");

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
