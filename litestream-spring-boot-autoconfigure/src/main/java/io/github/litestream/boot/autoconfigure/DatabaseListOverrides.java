package io.github.litestream.boot.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Lets a command-line argument, system property or environment variable change one value of
 * a {@code litestream.dbs} entry, as it changes any other property:
 * {@code --litestream.dbs[0].synchronous-replication=on} keeps the entry's replicas from
 * {@code application.yml}. Spring binds a list from one property source only, so those
 * values are merged key by key into the list of the configuration files, and the merged list
 * is handed back to be put in a source of highest precedence.
 *
 * <p>A replica entry for which such an override sets {@code type} or {@code url} is a
 * different replica: it replaces the configuration files' entry at that index whole. Between
 * configuration files (profiles) Spring's rule stays: a list replaces a list.
 */
final class DatabaseListOverrides {

	private static final ConfigurationPropertyName DBS = ConfigurationPropertyName.of("litestream.dbs");

	private static final Set<String> OVERRIDES = Set.of(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME,
			StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME,
			StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);

	private static final Set<String> REPLICA_IDENTITY = Set.of("type", "url");

	private DatabaseListOverrides() {
	}

	/**
	 * Merges the overrides of the {@code litestream.dbs} list into it.
	 * @param sources the environment's sources, highest precedence first
	 * @return the merged list's values, or {@code null} when no override sets a value of it
	 */
	static @Nullable Map<ConfigurationPropertyName, Object> merge(List<IterableConfigurationPropertySource> sources) {
		List<IterableConfigurationPropertySource> overrides = new ArrayList<>();
		IterableConfigurationPropertySource base = null;
		for (IterableConfigurationPropertySource source : sources) {
			if (!hasDbs(source)) {
				continue;
			}
			if (isOverride(source)) {
				overrides.add(source);
			}
			else {
				base = source;
				break;
			}
		}
		if (overrides.isEmpty()) {
			return null;
		}
		Map<ConfigurationPropertyName, Object> merged = (base != null) ? values(base) : new LinkedHashMap<>();
		for (int i = overrides.size() - 1; i >= 0; i--) {
			Map<ConfigurationPropertyName, Object> values = values(overrides.get(i));
			for (ConfigurationPropertyName name : values.keySet()) {
				ConfigurationPropertyName replica = replicaEntry(name);
				if (replica != null && REPLICA_IDENTITY.contains(name.getLastElement(ConfigurationPropertyName.Form.UNIFORM))) {
					merged.keySet().removeIf((key) -> replica.isAncestorOf(key) && !values.containsKey(key));
				}
			}
			merged.putAll(values);
		}
		return merged;
	}

	private static boolean hasDbs(IterableConfigurationPropertySource source) {
		return source.filter(DBS::isAncestorOf).stream().findAny().isPresent();
	}

	private static boolean isOverride(IterableConfigurationPropertySource source) {
		return source.getUnderlyingSource() instanceof PropertySource<?> propertySource
				&& OVERRIDES.contains(propertySource.getName());
	}

	private static Map<ConfigurationPropertyName, Object> values(IterableConfigurationPropertySource source) {
		Map<ConfigurationPropertyName, Object> values = new LinkedHashMap<>();
		source.filter(DBS::isAncestorOf).forEach((name) -> {
			ConfigurationProperty property = source.getConfigurationProperty(name);
			if (property != null && property.getValue() != null) {
				values.put(name, property.getValue());
			}
		});
		return values;
	}

	/** {@code litestream.dbs[n].replicas[m]} for a name below it, else {@code null}. */
	private static @Nullable ConfigurationPropertyName replicaEntry(ConfigurationPropertyName name) {
		// litestream . dbs . [n] . replicas . [m] . key
		if (name.getNumberOfElements() != 6
				|| !name.getElement(3, ConfigurationPropertyName.Form.UNIFORM).equals("replicas")) {
			return null;
		}
		return name.chop(5);
	}

}
