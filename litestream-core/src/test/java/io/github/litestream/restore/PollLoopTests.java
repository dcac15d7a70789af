package io.github.litestream.restore;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link PollLoop}: the wait after failures doubles up to the maximum backoff and goes back to
 * the poll interval after a success; {@link PollLoop#catchUp(Duration)} waits for a poll that
 * began after it was called, not for the one in progress, and not for a loop that ended; a stop
 * ends the wait between polls at once; an interrupt ends the loop, and only then is its end
 * listener told.
 */
class PollLoopTests {

	/** Long enough that only a wake-up or a stop ends a wait in these tests. */
	private static final Duration HOUR = Duration.ofHours(1);

	private final PollLoop loop = new PollLoop(new FollowerOptions(HOUR, Duration.ofHours(5), 1));

	/** Lets a blocked poll finish. */
	private final Semaphore finish = new Semaphore(0);

	@AfterEach
	void stop() {
		this.finish.release(100);
		this.loop.stop(Duration.ofSeconds(30));
	}

	@Test
	void theWaitAfterFailuresDoublesFromTwiceTheIntervalUpToTheMaximum() {
		PollLoop fast = new PollLoop(new FollowerOptions(Duration.ofMillis(100), Duration.ofSeconds(1), 1));
		assertThat(fast.backoff(1)).isEqualTo(Duration.ofMillis(200));
		assertThat(fast.backoff(2)).isEqualTo(Duration.ofMillis(400));
		assertThat(fast.backoff(3)).isEqualTo(Duration.ofMillis(800));
		assertThat(fast.backoff(4)).isEqualTo(Duration.ofSeconds(1));
		assertThat(fast.backoff(100)).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void failuresInARowAreCountedAndASuccessStartsTheCountAgain() {
		List<Boolean> outcomes = List.of(false, false, true, false);
		AtomicInteger polls = new AtomicInteger();
		List<String> failures = new CopyOnWriteArrayList<>();
		this.loop.start("test-poll-loop", () -> {
			if (!outcomes.get(Math.min(polls.getAndIncrement(), outcomes.size() - 1))) {
				throw new IOException("down");
			}
			return true;
		}, (ex, inARow, wait) -> failures.add(ex.getMessage() + " " + inARow + " " + wait.toHours() + "h"),
				(fatal) -> {
				});
		for (int i = 1; i < 4; i++) {
			int done = i;
			await().atMost(Duration.ofSeconds(30)).until(() -> polls.get() >= done);
			this.loop.wakeUp();
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> failures.size() == 3);
		assertThat(failures).containsExactly("down 1 2h", "down 2 4h", "down 1 2h");
	}

	@Test
	void catchUpWaitsForAPollBegunAfterItWasCalled() throws Exception {
		AtomicInteger begun = new AtomicInteger();
		this.loop.start("test-poll-loop", () -> {
			begun.incrementAndGet();
			this.finish.acquireUninterruptibly();
			return true;
		}, (ex, inARow, wait) -> {
		}, (fatal) -> {
		});
		await().atMost(Duration.ofSeconds(30)).until(() -> begun.get() == 1);
		CompletableFuture<Boolean> caughtUp = new CompletableFuture<>();
		Thread waiter = new Thread(() -> caughtUp.complete(this.loop.catchUp(Duration.ofMinutes(1))));
		waiter.start();
		await().atMost(Duration.ofSeconds(30)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
		// The poll in progress may have listed the replica before what catchUp waits for.
		this.finish.release();
		await().atMost(Duration.ofSeconds(30)).until(() -> begun.get() == 2);
		assertThat(caughtUp).isNotDone();
		this.finish.release();
		assertThat(caughtUp.get()).isTrue();
	}

	@Test
	void aPollThatDidNotApplyEverythingDoesNotCatchUp() {
		this.loop.start("test-poll-loop", () -> false, (ex, inARow, wait) -> {
		}, (fatal) -> {
		});
		assertThat(this.loop.catchUp(Duration.ofMillis(50))).isFalse();
	}

	@Test
	void anInterruptEndsTheLoopTellsItsListenerAndEndsACatchUpThatWaits() throws Exception {
		AtomicReference<Thread> polling = new AtomicReference<>();
		List<String> ended = new CopyOnWriteArrayList<>();
		this.loop.start("test-poll-loop", () -> {
			polling.set(Thread.currentThread());
			return false;
		}, (ex, inARow, wait) -> {
		}, (fatal) -> ended.add(String.valueOf(fatal)));
		await().atMost(Duration.ofSeconds(30)).until(() -> polling.get() != null);
		CompletableFuture<Boolean> caughtUp = CompletableFuture.supplyAsync(() -> this.loop.catchUp(HOUR));

		polling.get().interrupt();

		await().atMost(Duration.ofSeconds(30)).until(caughtUp::isDone);
		assertThat(caughtUp.get()).isFalse();
		assertThat(this.loop.isRunning()).isFalse();
		assertThat(ended).containsExactly("null");
		assertThat(this.loop.stop(Duration.ofSeconds(30))).isTrue();
		assertThat(this.loop.endedOnItsOwn()).isTrue();
	}

	@Test
	void aLoopEndedByStopIsNotEndedOnItsOwn() {
		List<String> ended = new CopyOnWriteArrayList<>();
		this.loop.start("test-poll-loop", () -> true, (ex, inARow, wait) -> {
		}, (fatal) -> ended.add(String.valueOf(fatal)));
		assertThat(this.loop.stop(Duration.ofSeconds(30))).isTrue();
		assertThat(this.loop.endedOnItsOwn()).isFalse();
		assertThat(ended).isEmpty();
	}

	@Test
	void stopEndsTheWaitBetweenPollsAtOnce() {
		AtomicInteger polls = new AtomicInteger();
		this.loop.start("test-poll-loop", () -> polls.incrementAndGet() > 0, (ex, inARow, wait) -> {
		}, (fatal) -> {
		});
		await().atMost(Duration.ofSeconds(30)).until(() -> polls.get() == 1);
		assertThat(this.loop.isRunning()).isTrue();
		assertThat(this.loop.stop(Duration.ofSeconds(30))).isTrue();
		assertThat(this.loop.isRunning()).isFalse();
		assertThat(this.loop.stopping()).isTrue();
		assertThat(polls).hasValue(1);
	}

}
