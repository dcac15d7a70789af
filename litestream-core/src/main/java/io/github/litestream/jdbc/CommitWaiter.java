package io.github.litestream.jdbc;

import java.sql.SQLException;

/**
 * Waits until what a connection committed is replicated.
 */
@FunctionalInterface
public interface CommitWaiter {

	/**
	 * Waits for every commit made so far on the database.
	 * @throws SQLException (typically a {@link ReplicationTimeoutException}) if the commits are
	 * not replicated in time; they stay committed locally
	 */
	void awaitReplicated() throws SQLException;

}
