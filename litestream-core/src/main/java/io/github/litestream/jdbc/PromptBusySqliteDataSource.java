package io.github.litestream.jdbc;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

import io.github.litestream.sqlite.PromptBusyHandler;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;

/**
 * A sqlite-jdbc DataSource whose connections wait for locks with a
 * {@link PromptBusyHandler#forApplication prompt busy handler} instead of SQLite's busy
 * timeout, for a pool to open its connections with: the handler is set when a connection
 * opens, and kept when its busy timeout changes (around a statement with a query timeout).
 * The busy timeout stays the limit of each wait.
 *
 * <p>With immediate writes (the default), a transaction that is not read-only takes the write
 * lock with {@code BEGIN IMMEDIATE} before its first statement, so that a transaction that
 * reads and then writes waits for the engine's checkpoints instead of failing with
 * {@code SQLITE_BUSY}; read-only ones ({@code Connection.setReadOnly(true)}, Spring's
 * {@code readOnly = true}) stay {@code DEFERRED}. A {@code transaction_mode} in the URL or the
 * configuration is kept as it is.
 */
public final class PromptBusySqliteDataSource extends SQLiteDataSource {

	private final Duration busyTimeout;

	private final boolean immediateWrites;

	/**
	 * Creates one whose write transactions begin IMMEDIATE.
	 * @param url the {@code jdbc:sqlite:} URL
	 * @param config the connections' configuration, pragmas included
	 * @param busyTimeout how long one statement may wait for a lock
	 */
	public PromptBusySqliteDataSource(String url, SQLiteConfig config, Duration busyTimeout) {
		this(url, config, busyTimeout, true);
	}

	/**
	 * Creates one.
	 * @param url the {@code jdbc:sqlite:} URL
	 * @param config the connections' configuration, pragmas included
	 * @param busyTimeout how long one statement may wait for a lock
	 * @param immediateWrites whether transactions that are not read-only take the write lock
	 * before their first statement; only where {@code config} and the URL leave the
	 * transaction mode to the driver's default ({@code DEFERRED}): pass {@code false} when the
	 * application chose {@code DEFERRED} explicitly
	 */
	public PromptBusySqliteDataSource(String url, SQLiteConfig config, Duration busyTimeout,
			boolean immediateWrites) {
		super(config);
		setUrl(url);
		this.busyTimeout = busyTimeout;
		this.immediateWrites = immediateWrites;
	}

	@Override
	public SQLiteConnection getConnection(@Nullable String username, @Nullable String password) throws SQLException {
		// As SQLiteDataSource does, with a connection that keeps the handler (PromptBusyConnection).
		Properties properties = getConfig().toProperties();
		if (username != null) {
			properties.put("user", username);
		}
		if (password != null) {
			properties.put("pass", password);
		}
		return PromptBusyConnection.open(getUrl(), properties, this.busyTimeout, this.immediateWrites);
	}

	/**
	 * How long one statement may wait for a lock.
	 * @return the busy timeout
	 */
	public Duration getBusyTimeout() {
		return this.busyTimeout;
	}

	/**
	 * Whether write transactions begin IMMEDIATE where no transaction mode was chosen.
	 * @return whether they do
	 */
	public boolean isImmediateWrites() {
		return this.immediateWrites;
	}

}
