package io.github.litestream.boot.transaction;

/**
 * Thrown by an {@link AwaitReplication} method whose commits were not stored in enough
 * replicas in time. They are committed locally and are still shipped: do not repeat the
 * operation. The cause, a {@code ReplicationTimeoutException}, says which database and how
 * many replicas stored them.
 */
public class NotReplicatedException extends RuntimeException {

	/**
	 * Creates an exception.
	 * @param cause the timeout
	 */
	public NotReplicatedException(Throwable cause) {
		super(cause.getMessage(), cause);
	}

}
