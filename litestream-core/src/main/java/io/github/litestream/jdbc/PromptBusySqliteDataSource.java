package io.github.litestream.jdbc;

import java.sql.SQLException;
import java.time.Duration;

import io.github.litestream.sqlite.PromptBusyHandler;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;

/**
 * A sqlite-jdbc DataSource whose connections wait for locks with a
 * {@link PromptBusyHandler#forApplication prompt busy handler} instead of SQLite's busy
 * timeout, for a pool to open its connections with: the handler is set once per connection,
 * when it is opened. The busy timeout stays the limit of each wait.
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
		SQLiteConnection connection = super.getConnection(username, password);
		try {
			PromptBusyHandler.install(connection, this.busyTimeout);
		}
		catch (SQLException | RuntimeException ex) {
			connection.close();
			throw ex;
		}
		return connection;
	}

	/**
	 * How long one statement may wait for a lock.
	 * @return the busy timeout
	 */
	public Duration getBusyTimeout() {
		return this.busyTimeout;
	}

}
