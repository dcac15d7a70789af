package io.github.litestream;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's threads: a timer that only queues work, a bounded pool for capturing WAL and a
 * bounded pool for replicas (see {@link EngineThreads}). Databases and replicas get a
 * {@link SerialLane} each on one of the pools. Workers are daemons named
 * {@code litestream-capture-N} and {@code litestream-replica-N}, made when work first needs
 * them and ended after a minute without any, so an idle engine holds only the timer.
 */
final class EngineScheduler {

	private static final long IDLE_WORKER_SECONDS = 60;

	private final ScheduledThreadPoolExecutor timer;

	private final ThreadPoolExecutor capture;

	private final ThreadPoolExecutor replica;

	/**
	 * Snapshot uploads, beside the replica lanes so that WAL keeps shipping meanwhile. At most as
	 * many as replica threads, as when snapshots ran on the lanes: each holds a file open and
	 * compression and upload buffers, and thousands of tenants may fall due at once. When all
	 * are busy, a snapshot is refused and tried again at a later step.
	 */
	private final ThreadPoolExecutor snapshots;

	EngineScheduler(EngineThreads threads) {
		this.timer = new ScheduledThreadPoolExecutor(1, daemons("litestream-timer"));
		// Cancelled timers leave the queue at once: lanes of removed databases leave nothing behind.
		this.timer.setRemoveOnCancelPolicy(true);
		this.timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
		this.capture = pool(threads.capture(), "litestream-capture");
		this.replica = pool(threads.replica(), "litestream-replica");
		this.snapshots = new ThreadPoolExecutor(0, threads.replica(), IDLE_WORKER_SECONDS, TimeUnit.SECONDS,
				new SynchronousQueue<>(), daemons("litestream-snapshot"));
	}

	private static ThreadPoolExecutor pool(int size, String prefix) {
		ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, IDLE_WORKER_SECONDS, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), daemons(prefix));
		pool.allowCoreThreadTimeOut(true);
		return pool;
	}

	SerialLane captureLane(String name) {
		return new SerialLane(name, this.capture, this.timer);
	}

	SerialLane replicaLane(String name) {
		return new SerialLane(name, this.replica, this.timer);
	}

	/** Where snapshot uploads run (see {@link io.github.litestream.replica.SnapshotUpload}). */
	Executor snapshotUploads() {
		return this.snapshots;
	}

	/**
	 * Stops the timer and lets the pools end once their tasks are done; never interrupts.
	 */
	void shutdown() {
		this.timer.shutdown();
		this.capture.shutdown();
		this.replica.shutdown();
		this.snapshots.shutdown();
	}

	boolean isShutdown() {
		return this.timer.isShutdown();
	}

	/**
	 * A thread factory of daemons named {@code prefix-N}, or just {@code prefix} for a single
	 * thread's name.
	 */
	static ThreadFactory daemons(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

}
