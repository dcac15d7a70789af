package io.github.litestream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-threaded executor without a thread of its own: its tasks run one at a time, in
 * order, on a shared pool, and timers fire on a shared timer thread that only queues them. The
 * replacement for a thread per database or replica, so the engine's thread count does not grow
 * with the number of databases.
 *
 * <p>Fairness: a lane hands the pool one task at a time. When a task ends and more are queued,
 * the lane goes back to the end of the pool's queue, so lanes take turns (round-robin) and a
 * busy database cannot keep a worker from the others. A lane with nothing to do holds no
 * thread and costs nothing but its timer entry.
 *
 * <p>The methods keep the signatures of {@link ScheduledExecutorService} that
 * {@link ReplicaTask} used, with the same meaning: {@link #shutdown()} rejects new tasks, stops
 * the periodic one and lets queued tasks run; nothing is ever interrupted.
 */
final class SerialLane {

	private static final Logger logger = LoggerFactory.getLogger(SerialLane.class);

	private final String name;

	private final Executor workers;

	private final ScheduledExecutorService timer;

	/** Guarded by {@code this}, as are the two flags. */
	private final Queue<Runnable> queue = new ArrayDeque<>();

	/** Whether a task of this lane is handed to the pool or running. */
	private boolean active;

	private boolean shutdown;

	private volatile ScheduledFuture<?> nextPeriodicRun;

	SerialLane(String name, Executor workers, ScheduledExecutorService timer) {
		this.name = name;
		this.workers = workers;
		this.timer = timer;
	}

	/**
	 * Queues a task.
	 * @param task the task
	 * @throws RejectedExecutionException after {@link #shutdown()}
	 */
	void execute(Runnable task) {
		synchronized (this) {
			if (this.shutdown) {
				throw new RejectedExecutionException("Lane " + this.name + " is shut down");
			}
			this.queue.add(task);
			if (this.active) {
				return;
			}
			this.active = true;
		}
		handToWorkers();
	}

	<T> Future<T> submit(Callable<T> task) {
		FutureTask<T> future = new FutureTask<>(task);
		execute(future);
		return future;
	}

	/**
	 * Queues a task after a delay; dropped if the lane is shut down by then.
	 * @throws RejectedExecutionException if the lane is already shut down
	 */
	void schedule(Runnable task, long delay, TimeUnit unit) {
		requireRunning();
		this.timer.schedule(() -> executeUnlessShutdown(task), delay, unit);
	}

	/**
	 * Runs a task repeatedly, each run queued {@code delay} after the previous one ended, until
	 * {@link #shutdown()}. Unlike {@link ScheduledExecutorService}'s, a run that throws does not
	 * end the schedule.
	 */
	void scheduleWithFixedDelay(Runnable task, long initialDelay, long delay, TimeUnit unit) {
		requireRunning();
		Runnable[] run = new Runnable[1];
		run[0] = () -> {
			try {
				task.run();
			}
			finally {
				scheduleNext(() -> executeUnlessShutdown(run[0]), delay, unit);
			}
		};
		scheduleNext(() -> executeUnlessShutdown(run[0]), initialDelay, unit);
	}

	private void scheduleNext(Runnable queueing, long delay, TimeUnit unit) {
		synchronized (this) {
			if (this.shutdown) {
				return;
			}
			try {
				this.nextPeriodicRun = this.timer.schedule(queueing, delay, unit);
			}
			catch (RejectedExecutionException ex) {
				// The engine is closing.
			}
		}
	}

	private void executeUnlessShutdown(Runnable task) {
		try {
			execute(task);
		}
		catch (RejectedExecutionException ex) {
			// Shut down meanwhile: a timer that fires late is dropped, as an executor's would be.
		}
	}

	private void handToWorkers() {
		try {
			this.workers.execute(this::runNext);
		}
		catch (RejectedExecutionException ex) {
			// The pool is shut down (engine closed): what is queued can never run. Futures among
			// it are cancelled, so that nobody waits for them for ever.
			List<Runnable> dropped;
			synchronized (this) {
				dropped = new ArrayList<>(this.queue);
				this.queue.clear();
				this.active = false;
				notifyAll();
			}
			for (Runnable task : dropped) {
				if (task instanceof Future<?> future) {
					future.cancel(false);
				}
			}
		}
	}

	private void runNext() {
		Runnable task;
		synchronized (this) {
			task = this.queue.poll();
		}
		Thread thread = Thread.currentThread();
		String workerName = thread.getName();
		// Thread dumps show which database or replica a worker is busy with.
		thread.setName(workerName + " " + this.name);
		try {
			if (task != null) {
				task.run();
			}
		}
		catch (Throwable ex) {
			logger.warn("Task of {} failed: {}", this.name, ex.toString());
		}
		finally {
			thread.setName(workerName);
			boolean more;
			synchronized (this) {
				more = !this.queue.isEmpty();
				if (!more) {
					this.active = false;
					notifyAll();
				}
			}
			if (more) {
				// To the end of the pool's queue: the other lanes' turn first.
				handToWorkers();
			}
		}
	}

	private synchronized void requireRunning() {
		if (this.shutdown) {
			throw new RejectedExecutionException("Lane " + this.name + " is shut down");
		}
	}

	/**
	 * Rejects new tasks and stops the periodic one; queued tasks still run.
	 */
	void shutdown() {
		ScheduledFuture<?> next;
		synchronized (this) {
			this.shutdown = true;
			next = this.nextPeriodicRun;
		}
		if (next != null) {
			next.cancel(false);
		}
	}

	synchronized boolean isShutdown() {
		return this.shutdown;
	}

	/**
	 * Waits until the lane is shut down and its queue is empty and idle.
	 * @return {@code true} if it is, {@code false} if the timeout elapsed first
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	synchronized boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
		long deadline = System.nanoTime() + unit.toNanos(timeout);
		while (!this.shutdown || this.active) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				return false;
			}
			TimeUnit.NANOSECONDS.timedWait(this, remaining);
		}
		return true;
	}

	@Override
	public String toString() {
		return this.name;
	}

}
