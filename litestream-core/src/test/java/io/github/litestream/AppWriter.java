package io.github.litestream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.db.ReplicatedDatabase;

/**
 * The application under a steady write load: commits one row per transaction on its own
 * thread until stopped, times each commit, and keeps the first error it saw, so a test can
 * show that replication trouble never reached the application.
 */
final class AppWriter {

	final AppDatabase app;

	final AtomicReference<Exception> error = new AtomicReference<>();

	final AtomicLong slowestCommitNanos = new AtomicLong();

	private final long pauseNanos;

	private final AtomicLong commitStartedAt = new AtomicLong();

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final Thread thread;

	/**
	 * Creates a writer; {@link #start()} starts it.
	 * @param app the application's database
	 * @param pause the pause after each commit; zero to write as fast as possible
	 */
	AppWriter(AppDatabase app, Duration pause) {
		this.app = app;
		this.pauseNanos = pause.toNanos();
		this.thread = new Thread(this::run, "app-writer");
	}

	void start() {
		this.thread.start();
	}

	private void run() {
		while (this.running.get()) {
			long started = System.nanoTime();
			this.commitStartedAt.set(started);
			try {
				this.app.insert(1);
			}
			catch (Exception ex) {
				this.error.compareAndSet(null, ex);
				return;
			}
			finally {
				this.commitStartedAt.set(0);
			}
			this.slowestCommitNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
			if (this.pauseNanos > 0) {
				LockSupport.parkNanos(this.pauseNanos);
			}
		}
	}

	/** Whether a commit failed or has been waiting for the engine's lock wait budget. */
	boolean stalledOrFailed() {
		long started = this.commitStartedAt.get();
		return this.error.get() != null || (started != 0 && System.nanoTime() - started > ReplicatedDatabase.LOCK_WAIT_BUDGET.toNanos());
	}

	void stop() throws Exception {
		if (this.running.getAndSet(false)) {
			this.thread.join();
		}
	}

}
