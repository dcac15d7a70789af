package io.github.litestream.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.logging.Logger;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.ReplicaQuorum;
import io.github.litestream.ReplicationWait;
import io.github.litestream.db.ReplicatedDatabase;

/**
 * A DataSource whose commits return only once they are stored in the database's replicas
 * (synchronous replication), for applications that build their pool themselves. Spring Boot
 * applications set {@code litestream.dbs[n].synchronous-replication=on} instead.
 *
 * <p>A commit that is not replicated within the timeout throws
 * {@link ReplicationTimeoutException}: it is committed locally and still shipped, so the
 * application must not retry it. Before the engine starts (schema migrations at startup) and
 * after it closed, commits do not wait.
 */
public final class SynchronousReplicationDataSource implements DataSource {

	private final DataSource dataSource;

	private final CommitAwaitingConnections connections;

	/**
	 * Wraps a DataSource of a replicated database.
	 * @param dataSource the application's DataSource (a pool) for the database's file
	 * @param engine the engine replicating it
	 * @param database the database
	 * @param quorum how many replicas must hold a commit
	 * @param timeout how long a commit waits at most
	 */
	public SynchronousReplicationDataSource(DataSource dataSource, Litestream engine, ReplicatedDatabase database,
			ReplicaQuorum quorum, Duration timeout) {
		this.dataSource = dataSource;
		this.connections = new CommitAwaitingConnections(waiter(engine, database, quorum, timeout));
	}

	/**
	 * What a commit of {@code database} waits for: its replication within the timeout.
	 * @param engine the engine
	 * @param database the database
	 * @param quorum how many replicas must hold a commit
	 * @param timeout how long to wait at most
	 * @return the waiter, throwing {@link ReplicationTimeoutException} when the timeout passes
	 */
	public static CommitWaiter waiter(Litestream engine, ReplicatedDatabase database, ReplicaQuorum quorum,
			Duration timeout) {
		return () -> {
			ReplicationWait wait = engine.awaitReplicated(database, quorum, timeout);
			String required = " replica(s) required (synchronous-replicas: " + ((quorum == ReplicaQuorum.ANY) ? "1" : "all")
					+ ")";
			if (wait.outcome() == ReplicationWait.Outcome.TIMED_OUT) {
				throw new ReplicationTimeoutException("The commit to " + database.path() + " is durable locally but "
						+ wait.stored() + " of the " + wait.required() + required + " stored it within " + format(timeout)
						+ " (synchronous-timeout). " + DO_NOT_RETRY);
			}
			if (wait.outcome() == ReplicationWait.Outcome.INTERRUPTED) {
				throw new ReplicationTimeoutException("The commit to " + database.path() + " is durable locally, but "
						+ "the thread was interrupted after " + wait.waited().toMillis() + " ms, before the "
						+ wait.required() + required + " stored it. " + DO_NOT_RETRY);
			}
		};
	}

	private static final String DO_NOT_RETRY = "Do not retry the transaction: it stays committed and is shipped "
			+ "when a replica can be reached. See the replicas' status in /actuator/litestream.";

	/** A timeout as it is written in properties: 300ms, 5s. */
	private static String format(Duration timeout) {
		long millis = timeout.toMillis();
		return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
	}

	@Override
	public Connection getConnection() throws SQLException {
		return this.connections.wrap(this.dataSource.getConnection());
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return this.connections.wrap(this.dataSource.getConnection(username, password));
	}

	@Override
	public PrintWriter getLogWriter() throws SQLException {
		return this.dataSource.getLogWriter();
	}

	@Override
	public void setLogWriter(PrintWriter out) throws SQLException {
		this.dataSource.setLogWriter(out);
	}

	@Override
	public void setLoginTimeout(int seconds) throws SQLException {
		this.dataSource.setLoginTimeout(seconds);
	}

	@Override
	public int getLoginTimeout() throws SQLException {
		return this.dataSource.getLoginTimeout();
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		return this.dataSource.getParentLogger();
	}

	@Override
	public <T> T unwrap(Class<T> type) throws SQLException {
		return type.isInstance(this) ? type.cast(this) : this.dataSource.unwrap(type);
	}

	@Override
	public boolean isWrapperFor(Class<?> type) throws SQLException {
		return type.isInstance(this) || this.dataSource.isWrapperFor(type);
	}

}
