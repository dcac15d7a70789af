package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;

import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Supplies the {@link ReplicaOperationListener} each replica client reports its requests to.
 * Define a bean of this type to count requests (the Micrometer support does).
 */
@FunctionalInterface
public interface ReplicaOperationListenerFactory {

	/**
	 * The listener for one replica.
	 * @param database the database file
	 * @param replicaName the replica's name
	 * @return the listener
	 */
	ReplicaOperationListener listenerFor(Path database, String replicaName);

}
