package io.github.litestream.restore;

import java.sql.Connection;
import java.sql.DriverManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads SQLite's JDBC driver on a thread of its own while a restore still works, so that the
 * integrity check at the end does not wait for it. In a fresh JVM the first connection costs
 * 0.1-0.6 s: sqlite-jdbc lists its temporary directory for stale copies, extracts its native
 * library there, compares it byte by byte and loads it. Started once the downloads are done,
 * it takes a processor that the restore no longer uses.
 */
final class SqliteWarmUp {

	private static final Logger logger = LoggerFactory.getLogger(SqliteWarmUp.class);

	private SqliteWarmUp() {
	}

	/**
	 * Starts loading the driver in a daemon thread. A failure is only logged: the integrity
	 * check opens its own connection and reports its own errors.
	 */
	static void start() {
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
