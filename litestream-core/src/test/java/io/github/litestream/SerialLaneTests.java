package io.github.litestream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Lanes on a shared pool: one task at a time and in order per lane, turns taken between lanes,
 * and a shutdown that lets queued work finish and never interrupts.
 */
class SerialLaneTests {

	private final ExecutorService oneWorker = Executors.newSingleThreadExecutor();

	private final ExecutorService fourWorkers = Executors.newFixedThreadPool(4);

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	@AfterEach
	void shutdown() {
		this.oneWorker.shutdownNow();
		this.fourWorkers.shutdownNow();
		this.timer.shutdownNow();
	}

	@Test
	void aBusyLaneTakesTurnsWithTheOthersOnASharedWorker() throws Exception {
		SerialLane busy = new SerialLane("busy", this.oneWorker, this.timer);
		SerialLane quiet = new SerialLane("quiet", this.oneWorker, this.timer);
		List<String> ran = new CopyOnWriteArrayList<>();
		CountDownLatch hold = new CountDownLatch(1);
		busy.execute(() -> awaitLatch(hold));
		for (int i = 0; i < 100; i++) {
			int n = i;
			busy.execute(() -> ran.add("busy-" + n));
		}
		quiet.execute(() -> ran.add("quiet"));
		hold.countDown();
		await().until(() -> ran.size() == 101);
		// The quiet lane waited for one step of the busy one, not for its hundred queued steps.
		assertThat(ran.indexOf("quiet")).isLessThanOrEqualTo(1);
	}

	@Test
	void aLaneRunsOneTaskAtATimeInOrderOnAManyWorkerPool() throws Exception {
		SerialLane lane = new SerialLane("lane", this.fourWorkers, this.timer);
		AtomicInteger running = new AtomicInteger();
		AtomicInteger mostAtOnce = new AtomicInteger();
		List<Integer> order = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 200; i++) {
			int n = i;
			lane.execute(() -> {
				mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
				order.add(n);
				running.decrementAndGet();
			});
		}
		lane.shutdown();
		assertThat(lane.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
		assertThat(mostAtOnce.get()).isEqualTo(1);
		List<Integer> expected = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			expected.add(i);
		}
		assertThat(order).isEqualTo(expected);
	}

	@Test
	void shutdownRejectsNewTasksStopsThePeriodicOneAndLetsQueuedOnesRun() throws Exception {
		SerialLane lane = new SerialLane("lane", this.oneWorker, this.timer);
		AtomicInteger ticks = new AtomicInteger();
		lane.scheduleWithFixedDelay(ticks::incrementAndGet, 0, 5, TimeUnit.MILLISECONDS);
		await().until(() -> ticks.get() >= 3);
		CountDownLatch hold = new CountDownLatch(1);
		AtomicInteger queued = new AtomicInteger();
		lane.execute(() -> awaitLatch(hold));
		lane.execute(queued::incrementAndGet);
		lane.shutdown();
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> lane.execute(() -> {
		}));
		assertThat(lane.awaitTermination(50, TimeUnit.MILLISECONDS)).isFalse();
		hold.countDown();
		assertThat(lane.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
		assertThat(queued.get()).isEqualTo(1);
		int afterShutdown = ticks.get();
		// No tick may come after termination; an absence can only be watched for a while.
		Thread.sleep(100);
		assertThat(ticks.get()).isEqualTo(afterShutdown);
	}

	@Test
	void aFutureQueuedWhenThePoolShutsDownIsCancelledNotLeftPending() throws Exception {
		SerialLane lane = new SerialLane("lane", this.oneWorker, this.timer);
		CountDownLatch hold = new CountDownLatch(1);
		lane.execute(() -> awaitLatch(hold));
		Future<String> queued = lane.submit(() -> "ran");
		this.oneWorker.shutdown();
		hold.countDown();
		assertThatExceptionOfType(CancellationException.class)
			.isThrownBy(() -> queued.get(10, TimeUnit.SECONDS));
	}

	@Test
	void aPeriodicTaskThatThrowsKeepsItsSchedule() {
		SerialLane lane = new SerialLane("lane", this.oneWorker, this.timer);
		AtomicInteger runs = new AtomicInteger();
		lane.scheduleWithFixedDelay(() -> {
			runs.incrementAndGet();
			throw new IllegalStateException("a failing step");
		}, 0, 5, TimeUnit.MILLISECONDS);
		await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() >= 3);
		lane.shutdown();
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			latch.await(1, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
