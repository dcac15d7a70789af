package io.github.litestream.boot.autoconfigure;

import io.github.litestream.lease.LeaseException;

/**
 * Thrown at startup when a replica's lease kept replication from starting: another live
 * instance holds it, or the replica's store cannot keep a lease.
 * {@link LitestreamLeaseFailureAnalyzer} turns it into the failure report.
 */
public class LitestreamLeaseException extends RuntimeException {

	private final String databaseProperty;

	/**
	 * Creates an exception.
	 * @param databaseProperty the property prefix of the database's entry, such as
	 * {@code litestream.dbs[0]}
	 * @param cause the engine's refusal
	 */
	public LitestreamLeaseException(String databaseProperty, LeaseException cause) {
		super(cause.getMessage(), cause);
		this.databaseProperty = databaseProperty;
	}

	/**
	 * The property prefix of the database's entry.
	 * @return the prefix, such as {@code litestream.dbs[0]}
	 */
	public String getDatabaseProperty() {
		return this.databaseProperty;
	}

	/**
	 * The engine's refusal.
	 * @return the cause
	 */
	public LeaseException getLeaseFailure() {
		return (LeaseException) getCause();
	}

}
