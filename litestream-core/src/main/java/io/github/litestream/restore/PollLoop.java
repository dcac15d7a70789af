package io.github.litestream.restore;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * The thread of a {@link ReplicaFollower}, and when it polls the replica: once every poll
 * interval, at once when woken up, and after failures in a row only after a wait that doubles
 * from the poll interval up to the maximum backoff, so that a replica that is down is not listed
 * every interval. It numbers the polls, so that {@link #catchUp(Duration)} can wait for one that
 * began after it was called (one begun earlier may have listed the replica before the writer's
 * last upload).
 */
final class PollLoop {

	private final FollowerOptions options;

	private final WakeUp wakeUp = new WakeUp();

	private volatile boolean stopping;

	/** Polls begun and polls that applied everything they listed, for {@link #catchUp(Duration)}. */
	private volatile long pollsBegun;

	private volatile long pollsCompleted;

	/** Failed polls in a row; the loop's thread only. */
	private int failures;

	/** Whether the thread ended (its end listener ran). */
	private volatile boolean ended;

	/** Whether it ended without {@link #stop(Duration)} (interrupted), or because a poll threw an error. */
	private boolean endedOnItsOwn;

	private Thread thread;

	PollLoop(FollowerOptions options) {
		this.options = options;
	}

	/**
	 * Polls on a daemon thread until {@link #stop(Duration)} or an interrupt. A loop starts once.
	 * @param name the thread's name
	 * @param poll one poll
	 * @param onFailure told of every poll that failed, on the loop's thread
	 * @param onEnd told, last on the loop's thread, if it ended without {@link #stop(Duration)} or
	 * on an error: it reports the error, which does not reach the thread's uncaught-exception handler
	 */
	synchronized void start(String name, Poll poll, FailureListener onFailure, EndListener onEnd) {
		if (this.thread != null) {
			throw new IllegalStateException("A poll loop starts once");
		}
		this.thread = new Thread(() -> run(poll, onFailure, onEnd), name);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/**
	 * Whether {@link #start} was called.
	 * @return {@code true} once started, even after it ended
	 */
	synchronized boolean started() {
		return this.thread != null;
	}

	/**
	 * Whether the thread runs: it ends once stopped, interrupted, or on an error it cannot go on after.
	 * @return {@code true} while it polls
	 */
	synchronized boolean isRunning() {
		return this.thread != null && this.thread.isAlive();
	}

	private void run(Poll poll, FailureListener onFailure, EndListener onEnd) {
		Error fatal = null;
		try {
			poll(poll, onFailure);
		}
		catch (Error ex) {
			// Not rethrown: the end listener reports it, with the follower's context; the thread's
			// uncaught-exception handler would report it a second time.
			fatal = ex;
		}
		finally {
			boolean onItsOwn;
			synchronized (this) {
				// Decided once, against stop(): either stop() hands over and lets go, or the listener
				// does. An error may have cut an application short, even during stop(): never handed over.
				onItsOwn = !this.stopping || fatal != null;
				this.endedOnItsOwn = onItsOwn;
			}
			try {
				if (onItsOwn) {
					onEnd.ended(fatal);
				}
			}
			finally {
				this.ended = true;
			}
		}
	}

	private void poll(Poll poll, FailureListener onFailure) {
		// An interrupt stops it too, like stop() but without handing the file over.
		while (!this.stopping && !Thread.currentThread().isInterrupted()) {
			Duration wait = this.options.pollInterval();
			long round = this.pollsBegun + 1;
			this.pollsBegun = round;
			try {
				if (poll.run()) {
					this.pollsCompleted = round;
				}
				this.failures = 0;
			}
			catch (IOException | RuntimeException ex) {
				this.failures++;
				wait = backoff(this.failures);
				onFailure.failed(ex, this.failures, wait);
			}
			this.wakeUp.await(wait, () -> this.stopping);
		}
	}

	/**
	 * How long to wait after failures in a row.
	 * @param failures how many polls failed in a row, at least one
	 * @return twice the poll interval after one, doubling with each more, at most the maximum backoff
	 */
	Duration backoff(int failures) {
		Duration wait = this.options.pollInterval().multipliedBy(1L << Math.min(failures, 16));
		return (wait.compareTo(this.options.maxBackoff()) > 0) ? this.options.maxBackoff() : wait;
	}

	/**
	 * Makes the next poll begin now rather than at the end of the wait.
	 */
	void wakeUp() {
		this.wakeUp.signal();
	}

	/**
	 * Waits until a poll that began after this call applied everything it listed.
	 * @param timeout how long to wait
	 * @return {@code true} if such a poll completed in time
	 */
	boolean catchUp(Duration timeout) {
		long target = this.pollsBegun + 1;
		long deadline = System.nanoTime() + timeout.toNanos();
		wakeUp();
		while (this.pollsCompleted < target && !this.stopping && !this.ended && System.nanoTime() - deadline < 0) {
			// A wake-up during a poll is kept for the next one; checking every 2 ms is quick enough.
			LockSupport.parkNanos(2_000_000);
		}
		return this.pollsCompleted >= target;
	}

	/**
	 * Ends the loop after the poll in progress, if any (a poll checks {@link #stopping()} between
	 * two segments), and ends its wait at once. The loop cannot be started again.
	 * @param timeout how long to wait for the thread to end
	 * @return whether the thread ended in time, or never started
	 */
	boolean stop(Duration timeout) {
		Thread running;
		synchronized (this) {
			running = this.thread;
			this.stopping = true;
		}
		wakeUp();
		if (running == null) {
			return true;
		}
		try {
			running.join(timeout.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return !running.isAlive();
	}

	/**
	 * Whether the thread ended without {@link #stop(Duration)} being called first, or on an error.
	 * @return {@code true} once ended on its own
	 */
	synchronized boolean endedOnItsOwn() {
		return this.endedOnItsOwn;
	}

	/**
	 * Whether {@link #stop(Duration)} was called: a poll in progress stops between two segments.
	 * @return {@code true} once stopping
	 */
	boolean stopping() {
		return this.stopping;
	}

	/** One poll of the replica. */
	@FunctionalInterface
	interface Poll {

		/**
		 * Polls once.
		 * @return whether everything listed was applied
		 * @throws IOException if the poll failed: the next one waits longer
		 */
		boolean run() throws IOException;

	}

	/** Told of a poll that failed. */
	@FunctionalInterface
	interface FailureListener {

		/**
		 * A poll failed.
		 * @param ex why
		 * @param inARow how many polls failed in a row, this one included
		 * @param nextAttempt how long until the next poll, unless woken up
		 */
		void failed(Exception ex, int inARow, Duration nextAttempt);

	}

	/** Told that the loop ended without {@link #stop(Duration)}, or on an error. */
	@FunctionalInterface
	interface EndListener {

		/**
		 * The loop ended: its thread was interrupted, or a poll threw an error.
		 * @param fatal the error, or {@code null} after an interrupt; the listener is the one to
		 * report it
		 */
		void ended(@Nullable Error fatal);

	}

}
