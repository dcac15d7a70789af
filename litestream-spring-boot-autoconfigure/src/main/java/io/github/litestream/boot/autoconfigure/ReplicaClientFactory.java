package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import org.jspecify.annotations.Nullable;

/**
 * The registered {@link ReplicaClientProvider}s by type, and the creation of a replica's
 * {@link ReplicaClient} through the provider of its type, wrapped to encrypt with age when the
 * replica has {@code age} keys. The {@code file} type is always available.
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
	 * The providers, in registration order, the built-in {@code file} first.
	 * @return the providers
	 */
	Collection<ReplicaClientProvider> providers() {
		return Collections.unmodifiableCollection(this.providers.values());
	}

	/**
	 * The provider of a type.
	 * @param type the type
	 * @return its provider, or {@code null} if none is registered
	 */
	@Nullable ReplicaClientProvider provider(String type) {
		return this.providers.get(type);
	}

	/**
	 * The provider that owns a URL scheme.
	 * @param scheme the scheme, lower case
	 * @return its provider, or {@code null} if none owns it
	 */
	@Nullable ReplicaClientProvider providerOfScheme(String scheme) {
		return this.providers.values()
			.stream()
			.filter((provider) -> provider.schemes().contains(scheme))
			.reduce((first, last) -> last)
			.orElse(null);
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
			ReplicaClient client = provider.create(settings, listener);
			return (settings.age() != null) ? settings.age().wrap(client) : client;
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
