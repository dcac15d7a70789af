package io.github.litestream.db;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.sqlite.BusyHandler;

/**
 * Retries a locked database every 100 µs until the busy timeout. SQLite's own busy timeout
 * backs off to sleeps of 100 ms, and an application that commits in a tight loop frees the
 * write lock only for microseconds at a time: the engine kept sleeping through those moments
 * (over a second in the write benchmark) while the backlog its checkpoint must then copy under
 * that lock kept growing.
 */
final class PromptBusyHandler extends BusyHandler {

	private static final long RETRY_NANOS = 100_000;

	private long timeoutNanos;

	private long firstBusyAt;

	PromptBusyHandler(Duration timeout) {
		setTimeout(timeout);
	}

	/**
	 * Changes how long one statement may wait, for the statements that follow on the thread
	 * that uses the connection. SQLite counts the retries of a whole statement: a statement that
	 * waits for several locks waits this long in all.
	 * @param timeout the new timeout
	 */
	void setTimeout(Duration timeout) {
		this.timeoutNanos = timeout.toNanos();
	}

	@Override
	protected int callback(int previousCalls) {
		long now = System.nanoTime();
		if (previousCalls == 0) {
			this.firstBusyAt = now;
		}
		// An interrupted thread would not sleep in parkNanos, only spin: give up instead.
		if (now - this.firstBusyAt >= this.timeoutNanos || Thread.currentThread().isInterrupted()) {
			return 0;
		}
		LockSupport.parkNanos(RETRY_NANOS);
		return 1;
	}

}
