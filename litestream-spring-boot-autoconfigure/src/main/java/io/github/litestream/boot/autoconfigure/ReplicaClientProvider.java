package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.util.Set;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Configures and creates the {@link ReplicaClient}s of one replica type. A backend becomes
 * configurable by registering a bean of this type: it names its type and URL schemes, the
 * keys it reads from a {@code litestream.dbs[n].replicas[m]} entry beyond the common ones
 * ({@code name}, {@code type}, {@code url}, {@code path} and the intervals), binds and checks
 * them, and creates clients. The file backend is built in; the S3 backend is registered when
 * the AWS SDK is on the classpath. Nothing shared needs to change for a new backend.
 */
public interface ReplicaClientProvider {

	/**
	 * The replica type this provider creates, as written in {@code type}.
	 * @return the type, lower case
	 */
	String type();

	/**
	 * The URL schemes this provider owns, such as {@code s3} for {@code s3://bucket/path}.
	 * @return the schemes, lower case; by default just the type
	 */
	default Set<String> schemes() {
		return Set.of(type());
	}

	/**
	 * The keys of a replica entry that belong to this type, in kebab case, such as
	 * {@code bucket}. Any other key besides the common ones is a configuration error.
	 * @return the keys; by default none
	 */
	default Set<String> keys() {
		return Set.of();
	}

	/**
	 * Binds and checks this type's settings of one replica entry, once at startup.
	 * @param entry the entry: its property prefix, its URL or path, and a binder for its keys
	 * @return this type's settings, handed back in {@link ReplicaSettings#backend()}; its
	 * {@code toString()} must not show secrets
	 * @throws LitestreamConfigurationException naming the key and the fix if the settings are
	 * wrong
	 */
	Object configure(ReplicaEntry entry);

	/**
	 * Creates a client.
	 * @param settings the replica's validated settings, with what {@link #configure} returned
	 * @param listener told about every request the client makes, for metrics
	 * @return the client; the caller closes it
	 * @throws IOException if the client can't be created
	 */
	ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) throws IOException;

}
