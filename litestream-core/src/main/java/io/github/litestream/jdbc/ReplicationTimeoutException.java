package io.github.litestream.jdbc;

import java.sql.SQLException;

/**
 * A commit that is durable on the local disk but was not stored in enough replicas within the
 * synchronous timeout. The transaction is NOT rolled back and must not be retried as if it had
 * failed: it stays committed and is shipped when a replica can be reached. Like a PostgreSQL
 * commit whose synchronous standby did not answer, it only lacks the promise that it survives
 * the loss of this disk.
 */
public class ReplicationTimeoutException extends SQLException {

	/** The SQLSTATE: class 01 (a warning), as the commit itself succeeded. */
	public static final String SQL_STATE = "01LS1";

	/**
	 * Creates an exception.
	 * @param message what was not replicated and what to do
	 */
	public ReplicationTimeoutException(String message) {
		super(message, SQL_STATE);
	}

}
