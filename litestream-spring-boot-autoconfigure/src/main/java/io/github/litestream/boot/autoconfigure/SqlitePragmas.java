package io.github.litestream.boot.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pragmas every application connection to a replicated database needs: WAL mode (the
 * engine reads the WAL), no automatic checkpoints (only the engine may checkpoint, after
 * copying the WAL), a busy timeout (the engine briefly takes locks) and a synchronous mode.
 *
 * @param busyTimeout how long a connection waits for a lock
 * @param synchronous the synchronous mode
 */
record SqlitePragmas(Duration busyTimeout, LitestreamProperties.Synchronous synchronous) {

	/**
	 * The pragmas from the properties.
	 * @param properties the properties
	 * @return the pragmas
	 */
	static SqlitePragmas of(LitestreamProperties properties) {
		return new SqlitePragmas(properties.getBusyTimeout(), properties.getSynchronous());
	}

	/**
	 * The pragmas as sqlite-jdbc connection properties, which it applies to every connection
	 * it opens.
	 * @return pragma names and values, in the order to apply them
	 */
	Map<String, String> asConnectionProperties() {
		Map<String, String> pragmas = new LinkedHashMap<>();
		pragmas.put("busy_timeout", Long.toString(this.busyTimeout.toMillis()));
		pragmas.put("journal_mode", "WAL");
		pragmas.put("wal_autocheckpoint", "0");
		pragmas.put("synchronous", this.synchronous.name());
		return pragmas;
	}

}
