package io.github.litestream.boot.autoconfigure;

import java.io.IOException;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Creates the {@link ReplicaClient}s of one replica type from their configuration. A backend
 * becomes configurable by registering a bean of this type; the file backend is built in and
 * the S3 backend is registered when the AWS SDK is on the classpath.
 */
public interface ReplicaClientProvider {

	/**
	 * The replica type this provider creates, as written in {@code type} or a URL's scheme.
	 * @return the type, lower case
	 */
	String type();

	/**
	 * Creates a client.
	 * @param settings the replica's validated settings
	 * @param listener told about every request the client makes, for metrics
	 * @return the client; the caller closes it
	 * @throws IOException if the client can't be created
	 */
	ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) throws IOException;

}
