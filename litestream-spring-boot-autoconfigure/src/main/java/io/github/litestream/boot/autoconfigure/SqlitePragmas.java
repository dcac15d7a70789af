package io.github.litestream.boot.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import io.github.litestream.jdbc.PromptBusySqliteDataSource;
import org.sqlite.SQLiteConfig;

/**
 * The pragmas every application connection to a replicated database needs: WAL mode (the
 * engine reads the WAL), no automatic checkpoints (only the engine may checkpoint, after
 * copying the WAL), a busy timeout (the engine briefly takes locks) and a synchronous mode.
 * Where the starter opens the connections itself, they also wait for locks with a
 * {@link io.github.litestream.sqlite.PromptBusyHandler prompt busy handler}, within the same
 * timeout, and (with {@code litestream.transaction-mode=auto}) their write transactions take the
 * write lock before their first statement.
 *
 * @param busyTimeout how long a connection waits for a lock
 * @param synchronous the synchronous mode
 * @param transactionMode how transactions begin where the connection chose no mode
 */
record SqlitePragmas(Duration busyTimeout, LitestreamProperties.Synchronous synchronous,
		LitestreamProperties.TransactionMode transactionMode) {

	/**
	 * The pragmas from the properties.
	 * @param properties the properties
	 * @return the pragmas
	 */
	static SqlitePragmas of(LitestreamProperties properties) {
		return new SqlitePragmas(properties.getBusyTimeout(), properties.getSynchronous(),
				properties.getTransactionMode());
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

	/**
	 * Whether a pragma may keep a value the connection's own URL or properties give it: WAL
	 * mode, no automatic checkpoints and a busy timeout are what replication needs (sqlite-jdbc
	 * also fills in a busy timeout of its own, so an explicit one cannot be told from it), the
	 * synchronous mode only a default (a URL's {@code synchronous=FULL} must not become
	 * {@code NORMAL}).
	 * @param name the pragma
	 * @return whether the connection's own value wins
	 */
	static boolean connectionsOwnValueWins(String name) {
		return name.equals("synchronous");
	}

	/**
	 * Sets the pragmas on a sqlite-jdbc configuration: over any it had, but for those whose
	 * own value wins ({@link #connectionsOwnValueWins}).
	 * @param config the configuration
	 * @return the same configuration
	 */
	SQLiteConfig applyTo(SQLiteConfig config) {
		Properties own = config.toProperties();
		asConnectionProperties().forEach((name, value) -> {
			if (!(connectionsOwnValueWins(name) && own.getProperty(name) != null)) {
				config.setPragma(SQLiteConfig.Pragma.valueOf(name.toUpperCase(Locale.ROOT)), value);
			}
		});
		return config;
	}

	/**
	 * A DataSource whose connections use the pragmas and the prompt busy handler.
	 * @param url the {@code jdbc:sqlite:} URL
	 * @param config the rest of the connections' configuration
	 * @param transactionModeSet whether the application set a {@code transaction_mode} in a
	 * way {@code config} cannot show (DEFERRED, the driver's default, in data source
	 * properties): then it is kept, as any mode in the URL or other than DEFERRED is
	 * @return the DataSource
	 */
	PromptBusySqliteDataSource dataSource(String url, SQLiteConfig config, boolean transactionModeSet) {
		boolean immediateWrites = this.transactionMode == LitestreamProperties.TransactionMode.AUTO
				&& !transactionModeSet;
		return new PromptBusySqliteDataSource(url, applyTo(config), this.busyTimeout, immediateWrites);
	}

}
