package io.github.litestream.restore;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.replica.Lz4;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the two native libraries a restore uses on a thread of its own while the restore
 * plans, so that neither is loaded on the restore's path.
 * <ul>
 * <li>LZ4's first, needed as soon as the snapshot is read: lz4-java extracts and loads its
 * library on first use, about 35 ms in a fresh JVM, which the snapshot waited for.
 * <li>SQLite's JDBC driver, needed by the integrity check at the end. Its first connection costs
 * 0.1-0.6 s: sqlite-jdbc lists its temporary directory for stale copies, extracts its native
 * library there, compares it byte by byte and loads it ({@link SqliteNativeLibrary} extracts it
 * in one copy instead). Started once the downloads were done,
 * as before, the check still waited for it about 70 ms.
 * </ul>
 * Started when a restore begins, it takes the processor that locking, cleaning up and planning
 * (one thread, listing the replica) leave idle.
 */
final class NativeWarmUp {

	private static final Logger logger = LoggerFactory.getLogger(NativeWarmUp.class);

	/** The driver loads once per JVM: thousands of restores at boot need one warm-up, not a thread each. */
	private static final AtomicBoolean STARTED = new AtomicBoolean();

	private NativeWarmUp() {
	}

	/**
	 * Starts loading the driver in a daemon thread, the first time only. A failure is only
	 * logged: the integrity check opens its own connection and reports its own errors.
	 */
	static void start() {
		if (!STARTED.compareAndSet(false, true)) {
			return;
		}
		Thread thread = new Thread(NativeWarmUp::load, "litestream-restore-native-warm-up");
		thread.setDaemon(true);
		thread.start();
	}

	private static void load() {
		long start = System.nanoTime();
		try {
			String lz4 = Lz4.implementation();
			logger.debug("LZ4 ({}) loaded in {} ms", lz4, (System.nanoTime() - start) / 1_000_000);
		}
		catch (LinkageError ex) {
			// The restore loads it again and reports the error where it needs the decoder.
			logger.debug("Could not load LZ4 ahead of the restore: {}", ex.toString());
		}
		start = System.nanoTime();
		Runnable loaded = SqliteNativeLibrary.extractAhead();
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:")) {
			logger.debug("SQLite's driver loaded in {} ms", (System.nanoTime() - start) / 1_000_000);
		}
		catch (Exception | LinkageError ex) {
			logger.debug("Could not load SQLite's driver ahead of the integrity check: {}", ex.toString());
		}
		finally {
			loaded.run();
		}
	}

}
