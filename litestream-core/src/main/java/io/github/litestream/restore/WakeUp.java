package io.github.litestream.restore;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A wait that another thread can cut short: the pause between two polls of a
 * {@link ReplicaFollower}. A signal given while nobody waits ends the next wait at once.
 */
final class WakeUp {

	private boolean pending;

	/**
	 * Ends the current (or next) wait.
	 */
	synchronized void signal() {
		this.pending = true;
		notifyAll();
	}

	/**
	 * Waits until signalled, {@code stop} is true (checked on every signal), or the time is up.
	 * An interrupt ends the wait and is kept.
	 * @param wait the longest wait
	 * @param stop whether to stop waiting
	 */
	synchronized void await(Duration wait, BooleanSupplier stop) {
		long deadline = System.nanoTime() + wait.toNanos();
		try {
			while (!this.pending && !stop.getAsBoolean()) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					break;
				}
				TimeUnit.NANOSECONDS.timedWait(this, left);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.pending = false;
	}

}
