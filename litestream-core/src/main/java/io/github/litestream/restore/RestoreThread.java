package io.github.litestream.restore;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The single daemon threads a restore runs beside its own: made per restore, stopped with it.
 */
final class RestoreThread {

	private RestoreThread() {
	}

	/**
	 * A single daemon thread.
	 * @param name the thread's name
	 * @return its executor
	 */
	static ExecutorService start(String name) {
		return Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Interrupts its work and waits for it to end, at most a minute (the work never blocks for
	 * long), even if the waiting thread is interrupted: its callers close what the work reads
	 * once this returns. An interrupt of the waiting thread is kept for its caller.
	 * @param thread the executor (or a pool of threads)
	 * @return whether its work ended within the minute
	 */
	static boolean stop(ExecutorService thread) {
		thread.shutdownNow();
		boolean interrupted = Thread.interrupted();
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
		try {
			while (!thread.isTerminated() && System.nanoTime() < deadline) {
				try {
					thread.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
		return thread.isTerminated();
	}

}
