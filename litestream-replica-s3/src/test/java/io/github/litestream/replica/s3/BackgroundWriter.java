package io.github.litestream.replica.s3;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.AppDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application under load in a test: inserts one row per transaction on its own thread,
 * with a short pause between rows, until stopped. It remembers the first error the
 * application would have seen, so a test can prove replication trouble never reached it.
 */
final class BackgroundWriter implements AutoCloseable {

	private final AppDatabase app;

	private final long pauseNanos;

	private final AtomicLong committed = new AtomicLong();

	private final AtomicReference<Throwable> error = new AtomicReference<>();

	private final Thread thread;

	private volatile boolean running = true;

	/**
	 * Starts writing.
	 * @param app the application's database; used only by this writer until {@link #stop()}
	 * @param pause the pause between two rows
	 */
	BackgroundWriter(AppDatabase app, Duration pause) {
		this.app = app;
		this.pauseNanos = pause.toNanos();
		this.committed.set(app.lastSeq());
		this.thread = new Thread(this::write, "test-app-writer");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	private void write() {
		try {
			while (this.running) {
				this.committed.set(this.app.insert(1));
				LockSupport.parkNanos(this.pauseNanos);
			}
		}
		catch (Throwable ex) {
			this.error.compareAndSet(null, ex);
		}
	}

	/**
	 * The seq of the last committed row.
	 * @return the seq
	 */
	long committed() {
		return this.committed.get();
	}

	/**
	 * Whether the writer is still writing without having seen an error.
	 * @return {@code true} while healthy
	 */
	boolean isHealthy() {
		return this.error.get() == null && this.thread.isAlive();
	}

	/**
	 * Stops writing and checks that the application never saw an error.
	 * @return the seq of the last committed row
	 * @throws InterruptedException if interrupted while waiting for the writer
	 */
	long stop() throws InterruptedException {
		this.running = false;
		this.thread.join(TimeUnit.SECONDS.toMillis(30));
		assertThat(this.thread.isAlive()).as("writer thread still running").isFalse();
		assertThat(this.error.get()).as("error seen by the application").isNull();
		return this.committed.get();
	}

	@Override
	public void close() throws InterruptedException {
		this.running = false;
		this.thread.join(TimeUnit.SECONDS.toMillis(30));
	}

}
