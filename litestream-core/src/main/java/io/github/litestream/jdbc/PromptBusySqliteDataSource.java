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
 */
public final class PromptBusySqliteDataSource extends SQLiteDataSource {

	private final Duration busyTimeout;

	/**
	 * Creates one.
	 * @param url the {@code jdbc:sqlite:} URL
	 * @param config the connections' configuration, pragmas included
	 * @param busyTimeout how long one statement may wait for a lock
	 */
	public PromptBusySqliteDataSource(String url, SQLiteConfig config, Duration busyTimeout) {
		super(config);
		setUrl(url);
		this.busyTimeout = busyTimeout;
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
		return PromptBusyConnection.open(getUrl(), properties, this.busyTimeout);
	}

	/**
	 * How long one statement may wait for a lock.
	 * @return the busy timeout
	 */
	public Duration getBusyTimeout() {
		return this.busyTimeout;
	}

}
