package io.github.litestream.restore;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads SQLite's JDBC driver on a thread of its own while a restore still works, so that the
 * integrity check at the end does not wait for it. In a fresh JVM the first connection costs
 * 0.1-0.6 s: sqlite-jdbc lists its temporary directory for stale copies, extracts its native
 * library there, compares it byte by byte and loads it. Started when a restore begins, it
 * takes the processor that planning (one thread, listing the replica) leaves idle; started
 * once the downloads were done, as before, the check still waited for it about 70 ms.
 */
final class SqliteWarmUp {

	private static final Logger logger = LoggerFactory.getLogger(SqliteWarmUp.class);

	/** The driver loads once per JVM: thousands of restores at boot need one warm-up, not a thread each. */
	private static final AtomicBoolean STARTED = new AtomicBoolean();

	private SqliteWarmUp() {
	}

	/**
	 * Starts loading the driver in a daemon thread, the first time only. A failure is only
	 * logged: the integrity check opens its own connection and reports its own errors.
	 */
	static void start() {
		if (!STARTED.compareAndSet(false, true)) {
			return;
		}
		Thread thread = new Thread(SqliteWarmUp::load, "litestream-restore-sqlite-warm-up");
		thread.setDaemon(true);
		thread.start();
	}

	private static void load() {
		long start = System.nanoTime();
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:")) {
			logger.debug("SQLite's driver loaded in {} ms", (System.nanoTime() - start) / 1_000_000);
		}
		catch (Exception | LinkageError ex) {
			logger.debug("Could not load SQLite's driver ahead of the integrity check: {}", ex.toString());
		}
	}

}
