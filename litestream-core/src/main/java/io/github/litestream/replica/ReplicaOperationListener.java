package io.github.litestream.replica;

/**
 * Told about every request a {@link ReplicaClient} makes to its backend.
 */
@FunctionalInterface
public interface ReplicaOperationListener {

	/** A listener that ignores everything. */
	ReplicaOperationListener NONE = (operation, bytes) -> {
	};

	/**
	 * Called after each request.
	 * @param operation the kind of request
	 * @param bytes payload bytes sent or received (0 for LIST and DELETE)
	 */
	void onOperation(ReplicaOperation operation, long bytes);

}
