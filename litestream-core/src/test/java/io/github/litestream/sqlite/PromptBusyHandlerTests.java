package io.github.litestream.sqlite;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract SQLite relies on: a non-zero answer retries the lock, zero gives up.
 */
class PromptBusyHandlerTests {

	@Test
	void retriesWithinTheTimeout() {
		PromptBusyHandler handler = PromptBusyHandler.forEngine(Duration.ofMinutes(1));
		assertThat(handler.callback(0)).isNotZero();
		assertThat(handler.callback(1_000)).isNotZero();
	}

	@Test
	void givesUpOnceTheTimeoutHasPassed() {
		PromptBusyHandler handler = PromptBusyHandler.forEngine(Duration.ZERO);
		assertThat(handler.callback(0)).isZero();
	}

	@Test
	void eachWaitStartsItsOwnTimeout() {
		PromptBusyHandler handler = PromptBusyHandler.forEngine(Duration.ofMillis(50));
		assertThat(handler.callback(0)).isNotZero();
		// The same wait, retried as SQLite does, ends once its timeout has passed.
		await().until(() -> handler.callback(1) == 0);
		assertThat(handler.callback(0)).as("a new wait").isNotZero();
	}

	@Test
	void aChangedTimeoutAppliesToTheNextWait() {
		PromptBusyHandler handler = PromptBusyHandler.forEngine(Duration.ofMinutes(1));
		handler.setTimeout(Duration.ZERO);
		assertThat(handler.callback(0)).isZero();
		handler.setTimeout(Duration.ofMinutes(1));
		assertThat(handler.callback(0)).isNotZero();
	}

	@Test
	void interruptedEngineThreadGivesUp() {
		PromptBusyHandler handler = PromptBusyHandler.forEngine(Duration.ofMinutes(1));
		Thread.currentThread().interrupt();
		try {
			assertThat(handler.callback(0)).isZero();
		}
		finally {
			Thread.interrupted();
		}
	}

	@Test
	void interruptedApplicationThreadKeepsWaitingAndItsInterrupt() {
		PromptBusyHandler handler = PromptBusyHandler.forApplication(Duration.ofMinutes(1));
		Thread.currentThread().interrupt();
		try {
			assertThat(handler.callback(0)).isNotZero();
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
		}
		finally {
			Thread.interrupted();
		}
	}

	@Test
	void theEngineTriesEvery100Microseconds() {
		PromptBusyHandler handler = PromptBusyHandler.forEngine(Duration.ofMinutes(1));
		assertThat(handler.pause(0)).isEqualTo(100_000);
		assertThat(handler.pause(Duration.ofSeconds(10).toNanos())).isEqualTo(100_000);
	}

	@Test
	void anApplicationPausesAnEighthOfItsWaitBetween100MicrosecondsAnd5Milliseconds() {
		PromptBusyHandler handler = PromptBusyHandler.forApplication(Duration.ofMinutes(1));
		assertThat(handler.pause(0)).isEqualTo(100_000);
		assertThat(handler.pause(Duration.ofMillis(4).toNanos())).isEqualTo(Duration.ofMillis(4).toNanos() / 8);
		assertThat(handler.pause(Duration.ofSeconds(10).toNanos())).isEqualTo(5_000_000);
	}

}
