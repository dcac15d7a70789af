package io.github.litestream.db;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs test code while another thread, standing for a snapshot that reads the database file,
 * holds the checkpoint lock. From another thread, since the lock is reentrant: the test's own
 * hold would let a checkpoint on the same thread in.
 */
final class SnapshotHoldingLock {

	private SnapshotHoldingLock() {
	}

	/**
	 * Runs {@code action} while another thread holds {@code checkpointLock}.
	 * @param checkpointLock the lock
	 * @param action the test code
	 * @throws Exception if the action fails
	 */
	static void whileHeld(ReentrantLock checkpointLock, Action action) throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Thread snapshot = new Thread(() -> {
			checkpointLock.lock();
			try {
				held.countDown();
				release.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				checkpointLock.unlock();
			}
		});
		snapshot.start();
		held.await();
		try {
			action.run();
		}
		finally {
			release.countDown();
			snapshot.join();
		}
	}

	/** Test code that may throw. */
	@FunctionalInterface
	interface Action {

		void run() throws Exception;

	}

}
