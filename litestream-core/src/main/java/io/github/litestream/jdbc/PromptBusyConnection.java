package io.github.litestream.jdbc;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

import io.github.litestream.sqlite.PromptBusyHandler;
import org.sqlite.BusyHandler;
import org.sqlite.JDBC;
import org.sqlite.jdbc4.JDBC4Connection;

/**
 * A sqlite-jdbc connection that keeps the prompt busy handler whenever its busy timeout
 * changes. sqlite-jdbc sets the busy timeout around every statement that has a query timeout
 * ({@code @Transactional(timeout = …)}, a {@code JdbcTemplate} query timeout) and back after
 * it, and SQLite's busy timeout replaces any busy handler: without this, one such statement
 * left the connection with SQLite's back-off for the rest of its life in the pool.
 */
final class PromptBusyConnection extends JDBC4Connection {

	private PromptBusyConnection(String url, Properties properties) throws SQLException {
		super(url, url.substring(JDBC.PREFIX.length()), properties);
	}

	/**
	 * Opens a connection as sqlite-jdbc's driver does, with the prompt busy handler.
	 * @param url the {@code jdbc:sqlite:} URL
	 * @param properties the connection's properties, pragmas included
	 * @param busyTimeout how long one statement may wait for a lock
	 * @return the connection
	 * @throws SQLException if it cannot be opened
	 */
	static PromptBusyConnection open(String url, Properties properties, Duration busyTimeout) throws SQLException {
		if (!JDBC.isValidURL(url)) {
			throw new SQLException("invalid database address: " + url);
		}
		PromptBusyConnection connection = new PromptBusyConnection(url.trim(), properties);
		try {
			connection.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
		}
		catch (SQLException | RuntimeException ex) {
			connection.close();
			throw ex;
		}
		return connection;
	}

	/**
	 * Keeps the prompt busy handler, with this limit, instead of SQLite's busy timeout.
	 * @param timeoutMillis how long one statement may wait for a lock
	 */
	@Override
	public void setBusyTimeout(int timeoutMillis) throws SQLException {
		getDatabase().getConfig().setBusyTimeout(timeoutMillis);
		BusyHandler.setHandler(this, PromptBusyHandler.forApplication(Duration.ofMillis(timeoutMillis)));
	}

}
