package io.github.litestream.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.sqlite.BusyHandler;
import org.sqlite.SQLiteConnection;

/**
 * Retries a locked database soon after it is freed, until the busy timeout. SQLite's own busy
 * timeout sleeps 1, 2, 5, 10, 15, 20 and then 25 to 100 ms between tries: an application
 * commit that met the engine's checkpoint, which holds the write lock for a few milliseconds,
 * waited 8 ms for a 4 ms hold, and 18 ms when it met two holds in a row; and the engine kept
 * sleeping through the microseconds for which a busy application frees the lock.
 *
 * <p>Here the pause between tries starts at 100 µs and grows with the time already waited (an
 * eighth of it), up to a maximum: a wait ends within an eighth of its length after the lock
 * is freed, and a long wait costs a few dozen tries, not thousands. The engine's own
 * connection never pauses longer than 100 µs ({@link #forEngine}); application connections up
 * to 5 ms ({@link #forApplication}).
 */
public final class PromptBusyHandler extends BusyHandler {

	private static final long FIRST_PAUSE_NANOS = 100_000;

	private static final long APPLICATION_MAX_PAUSE_NANOS = 5_000_000;

	private final long maxPauseNanos;

	/**
	 * Whether an interrupted thread gives up at once: the engine's do (an interrupt is how the
	 * engine stops them); an application's thread waits as SQLite's own timeout, which sleeps in
	 * native code, would have let it.
	 */
	private final boolean interruptible;

	private long timeoutNanos;

	private long firstBusyAt;

	private PromptBusyHandler(Duration timeout, long maxPauseNanos, boolean interruptible) {
		this.maxPauseNanos = maxPauseNanos;
		this.interruptible = interruptible;
		setTimeout(timeout);
	}

	/**
	 * A handler for the engine's connection, which must catch the moments a busy application
	 * frees the lock: it tries every 100 µs, and gives up when its thread is interrupted.
	 * @param timeout how long one statement may wait
	 * @return the handler
	 */
	public static PromptBusyHandler forEngine(Duration timeout) {
		return new PromptBusyHandler(timeout, FIRST_PAUSE_NANOS, true);
	}

	/**
	 * A handler for an application's connection: prompt at first, then pausing up to 5 ms; an
	 * interrupted thread keeps waiting (its interrupt stays set), as with SQLite's busy timeout.
	 * @param timeout how long one statement may wait (the connection's busy timeout)
	 * @return the handler
	 */
	public static PromptBusyHandler forApplication(Duration timeout) {
		return new PromptBusyHandler(timeout, APPLICATION_MAX_PAUSE_NANOS, false);
	}

	/**
	 * Gives an application's SQLite connection a {@link #forApplication} handler in place of
	 * its busy timeout.
	 * @param connection a sqlite-jdbc connection, or one that unwraps to it
	 * @param timeout how long one statement may wait
	 * @throws SQLException if it is not a SQLite connection, or is closed
	 */
	public static void install(Connection connection, Duration timeout) throws SQLException {
		BusyHandler.setHandler(connection.unwrap(SQLiteConnection.class), forApplication(timeout));
	}

	/**
	 * Changes how long one statement may wait, for the statements that follow on the thread
	 * that uses the connection. SQLite counts the retries of a whole statement: a statement that
	 * waits for several locks waits this long in all.
	 * @param timeout the new timeout
	 */
	public void setTimeout(Duration timeout) {
		this.timeoutNanos = timeout.toNanos();
	}

	@Override
	protected int callback(int previousCalls) {
		long now = System.nanoTime();
		if (previousCalls == 0) {
			this.firstBusyAt = now;
		}
		long waited = now - this.firstBusyAt;
		if (waited >= this.timeoutNanos) {
			return 0;
		}
		if (Thread.currentThread().isInterrupted()) {
			if (this.interruptible) {
				return 0;
			}
			// parkNanos returns at once while the interrupt is set, which would spin: clear it for
			// the pause and set it again.
			Thread.interrupted();
			try {
				LockSupport.parkNanos(pause(waited));
			}
			finally {
				Thread.currentThread().interrupt();
			}
			return 1;
		}
		LockSupport.parkNanos(pause(waited));
		return 1;
	}

	/** The pause before the next try, after having waited this long. */
	long pause(long waitedNanos) {
		return Math.max(FIRST_PAUSE_NANOS, Math.min(this.maxPauseNanos, waitedNanos / 8));
	}

}
