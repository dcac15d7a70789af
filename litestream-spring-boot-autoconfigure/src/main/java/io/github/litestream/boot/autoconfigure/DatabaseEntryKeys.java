package io.github.litestream.boot.autoconfigure;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * Checks that every key set under a {@code litestream.dbs[n]} entry is one the entry has.
 * Spring ignores an unknown key without a word, and here a misspelt key turns a guarantee off
 * ({@code synchronous-replication}, {@code lease.enabled}, {@code restore.fall-back}) while the
 * application runs as if it were on. The keys of the replicas are checked, per type, by
 * {@link ReplicaEntryValidator}.
 */
final class DatabaseEntryKeys {

	/** Litestream's keys the starter reads and ignores: the engine keeps its state next to the database. */
	private static final List<String> IGNORED = List.of("meta-path");

	/** The keys, dotted and in kebab case, such as {@code restore.fall-back}; a list's name ends with {@code []}. */
	private static final List<String> KEYS = keys(LitestreamProperties.Database.class, "");

	private DatabaseEntryKeys() {
	}

	/**
	 * Refuses the first key under a database entry that the entry does not have.
	 * @param prefix the entry's property prefix, such as {@code litestream.dbs[0]}
	 * @param keys the full names of the keys set under it
	 * @throws LitestreamConfigurationException naming the key, and the key it may be a misspelling of
	 */
	static void requireKnown(String prefix, Collection<ConfigurationPropertyName> keys) {
		int depth = ConfigurationPropertyName.of(prefix).getNumberOfElements();
		for (ConfigurationPropertyName key : keys) {
			String written = uniform(key, depth);
			if (key.getNumberOfElements() > depth
					&& key.getElement(depth, ConfigurationPropertyName.Form.UNIFORM).equals("replica")) {
				// Litestream v0.5's single 'replica:' would leave the database without any backup.
				throw new LitestreamConfigurationException(prefix + ".replica",
						prefix + ".replica is Litestream v0.5's key; here replicas are a list, so the database has "
								+ "no replica and nothing of it would be backed up",
						"Move the keys of " + prefix + ".replica to " + prefix + ".replicas[0].");
			}
			if (KEYS.stream().noneMatch((known) -> matches(written, known))
					&& IGNORED.stream().noneMatch((ignored) -> written.equals(uniform(ignored)))) {
				throw unknown(prefix, key, written);
			}
		}
	}

	private static boolean matches(String written, String known) {
		boolean list = known.endsWith("[]");
		String name = uniform(list ? known.substring(0, known.length() - 2) : known);
		return list ? written.startsWith(name) : written.equals(name);
	}

	private static LitestreamConfigurationException unknown(String prefix, ConfigurationPropertyName key, String written) {
		String problem = key + " is not a key of a database entry, so Spring would ignore it";
		String closest = KEYS.stream()
			.map((known) -> known.replace("[]", ""))
			.min(Comparator.comparingInt((known) -> distance(uniform(known), written)))
			.orElseThrow();
		if (distance(uniform(closest), written) <= Math.max(2, written.length() / 4)) {
			return new LitestreamConfigurationException(key.toString(), problem,
					"Did you mean " + prefix + "." + closest + "? Correct it, or remove it.");
		}
		return new LitestreamConfigurationException(key.toString(), problem, "Remove it; a database entry has the keys "
				+ String.join(", ", KEYS.stream().map((known) -> known.replace("[]", "")).toList()) + ".");
	}

	/** The key's elements below the entry joined in Spring's uniform form, as relaxed binding compares them. */
	private static String uniform(ConfigurationPropertyName key, int depth) {
		StringBuilder joined = new StringBuilder();
		for (int i = depth; i < key.getNumberOfElements(); i++) {
			joined.append(key.getElement(i, ConfigurationPropertyName.Form.UNIFORM));
		}
		return joined.toString();
	}

	private static String uniform(String dotted) {
		return dotted.replace("-", "").replace(".", "").toLowerCase(Locale.ROOT);
	}

	private static List<String> keys(Class<?> type, String prefix) {
		List<String> keys = new ArrayList<>();
		for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(type)) {
			Class<?> valueType = property.getPropertyType();
			if (property.getName().equals("class") || valueType == null) {
				continue;
			}
			String name = prefix + kebab(property.getName());
			if (Collection.class.isAssignableFrom(valueType) || Map.class.isAssignableFrom(valueType)) {
				keys.add(name + "[]");
			}
			else if (valueType.getDeclaringClass() == LitestreamProperties.class && !valueType.isEnum()) {
				keys.addAll(keys(valueType, name + "."));
			}
			else {
				keys.add(name);
			}
		}
		return List.copyOf(keys);
	}

	private static String kebab(String camelCase) {
		return camelCase.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
	}

	/** Levenshtein distance, for the key a misspelt one most likely meant. */
	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

}
