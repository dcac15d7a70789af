package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Maps a replica's settings to a {@link ReplicaClient} by its type, using the registered
 * {@link ReplicaClientProvider}s. The {@code file} type is always available.
 */
public final class ReplicaClientFactory {

	private final Map<String, ReplicaClientProvider> providers = new LinkedHashMap<>();

	/**
	 * Creates a factory.
	 * @param providers the providers; a later provider of a type replaces the built-in one
	 */
	public ReplicaClientFactory(List<ReplicaClientProvider> providers) {
		this.providers.put("file", new FileReplicaClientProvider());
		providers.forEach((provider) -> this.providers.put(provider.type(), provider));
	}

	/**
	 * The replica types that can be created.
	 * @return the types
	 */
	public Set<String> types() {
		return Collections.unmodifiableSet(this.providers.keySet());
	}

	/**
	 * Creates a client for a replica.
	 * @param settings the replica's settings
	 * @param listener told about every request the client makes
	 * @return the client
	 * @throws LitestreamConfigurationException if the type is unknown or the client can't be
	 * created
	 */
	public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
		ReplicaClientProvider provider = this.providers.get(settings.type());
		if (provider == null) {
			throw new LitestreamConfigurationException(settings.property() + ".type",
					"unknown replica type '" + settings.type() + "'",
					"Set " + settings.property() + ".type to one of " + String.join(", ", types()) + ".");
		}
		try {
			return provider.create(settings, listener);
		}
		catch (IOException | RuntimeException ex) {
			if (ex instanceof LitestreamConfigurationException configurationException) {
				throw configurationException;
			}
			throw new LitestreamConfigurationException(settings.property(),
					"the " + settings.type() + " replica '" + settings.name() + "' can't be created",
					"Check the settings under " + settings.property() + ".", ex);
		}
	}

}
