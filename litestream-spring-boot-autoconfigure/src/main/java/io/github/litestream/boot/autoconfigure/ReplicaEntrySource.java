package io.github.litestream.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Where the keys of the {@code litestream.dbs[n].replicas[m]} entries come from: the property
 * source the {@code litestream.dbs} list was bound from. Spring binds a list from the first
 * source that has it, never merging sources, so the keys a provider binds and the keys
 * checked for being known are exactly the ones {@link LitestreamProperties} saw.
 */
final class ReplicaEntrySource {

	private static final ConfigurationPropertyName DBS = ConfigurationPropertyName.of("litestream.dbs");

	private static final ConfigurationPropertyName LITESTREAM = ConfigurationPropertyName.of("litestream");

	private final List<ConfigurationPropertySource> sources;

	private final List<ConfigurationPropertySource> all;

	private final Binder binder;

	private ReplicaEntrySource(List<ConfigurationPropertySource> sources, List<ConfigurationPropertySource> all,
			Binder binder) {
		this.sources = sources;
		this.all = all;
		this.binder = binder;
	}

	/**
	 * Finds the source of {@code litestream.dbs} in an environment.
	 * @param environment the environment
	 * @return the source, or all of the environment's sources if none has the list
	 */
	static ReplicaEntrySource of(Environment environment) {
		List<ConfigurationPropertySource> all = List.copyOf(toList(ConfigurationPropertySources.get(environment)));
		List<ConfigurationPropertySource> sources = all.stream()
			.filter((source) -> source.containsDescendantOf(DBS) == ConfigurationPropertyState.PRESENT
					|| source.getConfigurationProperty(DBS) != null)
			.findFirst()
			.map(List::of)
			.orElse(all);
		PropertySourcesPlaceholdersResolver placeholders = new PropertySourcesPlaceholdersResolver(environment);
		return new ReplicaEntrySource(sources, all,
				new Binder(sources, placeholders, null, null, new LitestreamBindHandler(placeholders)));
	}

	/**
	 * A binder over the source, resolving {@code ${}} placeholders against the environment and
	 * checking values as {@link LitestreamBindHandler} does.
	 * @return the binder
	 */
	Binder binder() {
		return this.binder;
	}

	/**
	 * The keys set under an entry, such as {@code litestream.dbs[0].replicas[1].bucket}.
	 * A source that can't list its keys contributes none.
	 * @param prefix the entry's property prefix
	 * @return the full names of the keys
	 */
	List<ConfigurationPropertyName> keysUnder(String prefix) {
		ConfigurationPropertyName entry = ConfigurationPropertyName.of(prefix);
		return this.sources.stream()
			.filter(IterableConfigurationPropertySource.class::isInstance)
			.map(IterableConfigurationPropertySource.class::cast)
			.flatMap((source) -> source.filter(entry::isAncestorOf).stream())
			.distinct()
			.toList();
	}

	/**
	 * The keys set under {@code litestream.} in every source but the process's own: environment
	 * variables (a container may still set {@code LITESTREAM_…} variables for the sidecar the
	 * application replaced, such as {@code LITESTREAM_CONFIG}) and JVM system properties (which
	 * also carry settings read outside Spring, such as {@code litestream.age.provider}).
	 * @return the keys
	 */
	List<ConfigurationPropertyName> topLevelKeys() {
		return this.all.stream()
			.filter((source) -> !isProcessSource(source.getUnderlyingSource()))
			.filter(IterableConfigurationPropertySource.class::isInstance)
			.map(IterableConfigurationPropertySource.class::cast)
			.flatMap((source) -> source.filter(LITESTREAM::isAncestorOf).stream())
			.distinct()
			.toList();
	}

	/**
	 * The keys set under {@code litestream.} as JVM system properties ({@code -D}), which
	 * {@link #topLevelKeys()} leaves out.
	 * @return the keys
	 */
	List<ConfigurationPropertyName> systemPropertyKeys() {
		return this.all.stream()
			.filter((source) -> source.getUnderlyingSource() instanceof PropertySource<?> named
					&& StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME.equals(named.getName()))
			.filter(IterableConfigurationPropertySource.class::isInstance)
			.map(IterableConfigurationPropertySource.class::cast)
			.flatMap((source) -> source.filter(LITESTREAM::isAncestorOf).stream())
			.distinct()
			.toList();
	}

	private static boolean isProcessSource(Object source) {
		return source instanceof SystemEnvironmentPropertySource
				|| (source instanceof PropertySource<?> named
						&& StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME.equals(named.getName()));
	}

	/**
	 * Whether a key under an entry is a key, or lies below a key, given in kebab case. Names
	 * are compared as Spring's relaxed binding does: {@code accessKeyId},
	 * {@code access-key-id} and the environment variable's {@code ACCESS_KEY_ID} are one key.
	 * @param name the full name of a key under the entry
	 * @param depth the number of elements of the entry's prefix
	 * @param key the key, such as {@code access-key-id}
	 * @return whether the name is that key
	 */
	static boolean isKey(ConfigurationPropertyName name, int depth, String key) {
		String wanted = key.replace("-", "").toLowerCase(Locale.ROOT);
		StringBuilder joined = new StringBuilder();
		for (int i = depth; i < name.getNumberOfElements() && joined.length() < wanted.length(); i++) {
			joined.append(name.getElement(i, ConfigurationPropertyName.Form.UNIFORM));
			if (joined.toString().equals(wanted)) {
				return true;
			}
		}
		return false;
	}

	private static List<ConfigurationPropertySource> toList(Iterable<ConfigurationPropertySource> sources) {
		List<ConfigurationPropertySource> list = new ArrayList<>();
		sources.forEach(list::add);
		return list;
	}

}
