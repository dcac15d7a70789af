package io.github.litestream.boot.autoconfigure;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * The names of configuration keys, as the checks of unknown keys compare them: the keys a
 * properties class has, names in Spring's uniform form (as relaxed binding compares them), and
 * the known key a misspelt one most likely meant.
 */
final class KeyNames {

	private KeyNames() {
	}

	/**
	 * The keys of a properties class, dotted and in kebab case, such as {@code restore.fall-back};
	 * a list's or map's name ends with {@code []}. Nested classes of {@link LitestreamProperties}
	 * are expanded.
	 * @param type the class
	 * @param prefix what to put before each name
	 * @return the keys
	 */
	static List<String> of(Class<?> type, String prefix) {
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
				keys.addAll(of(valueType, name + "."));
			}
			else {
				keys.add(name);
			}
		}
		return List.copyOf(keys);
	}

	/**
	 * A key's elements from {@code depth} on, joined in Spring's uniform form.
	 * @param key the key
	 * @param depth the first element joined
	 * @return the joined elements, such as {@code restorefallback}
	 */
	static String uniform(ConfigurationPropertyName key, int depth) {
		StringBuilder joined = new StringBuilder();
		for (int i = depth; i < key.getNumberOfElements(); i++) {
			joined.append(key.getElement(i, ConfigurationPropertyName.Form.UNIFORM));
		}
		return joined.toString();
	}

	/**
	 * A dotted kebab-case name in Spring's uniform form.
	 * @param dotted the name, such as {@code restore.fall-back}
	 * @return the uniform form, such as {@code restorefallback}
	 */
	static String uniform(String dotted) {
		return dotted.replace("-", "").replace(".", "").replace("[]", "").toLowerCase(Locale.ROOT);
	}

	/**
	 * The known name closest to a written one, if it is close enough to be a misspelling of it.
	 * @param written the written name, in uniform form
	 * @param known the known names, dotted and in kebab case
	 * @return the known name as written in {@code known} (without a list's {@code []})
	 */
	static Optional<String> closest(String written, Collection<String> known) {
		String closest = known.stream()
			.map((name) -> name.replace("[]", ""))
			.min(Comparator.comparingInt((name) -> distance(uniform(name), written)))
			.orElseThrow();
		return (distance(uniform(closest), written) <= Math.max(2, written.length() / 4)) ? Optional.of(closest)
				: Optional.empty();
	}

	/**
	 * Whether a key's element at an index is a list index, or the key ends before it: Spring
	 * binds {@code dbs[0].path} and {@code dbs.0.path} to a list's entry, and ignores
	 * {@code dbs.path}, which a YAML entry without its dash becomes.
	 * @param key the key
	 * @param index the element that must be an index
	 * @return whether it is one
	 */
	static boolean indexesAList(ConfigurationPropertyName key, int index) {
		return key.getNumberOfElements() <= index || key.isNumericIndex(index)
				|| key.getElement(index, ConfigurationPropertyName.Form.ORIGINAL).chars().allMatch(Character::isDigit);
	}

	/**
	 * The error for a key that sets a list's entry as if the list were one entry.
	 * @param key the key, such as {@code litestream.dbs.path}
	 * @param list the list, such as {@code litestream.dbs}
	 * @return the error, naming the key and how to write it
	 */
	static LitestreamConfigurationException notAnEntry(ConfigurationPropertyName key, String list) {
		int depth = ConfigurationPropertyName.of(list).getNumberOfElements();
		StringBuilder rest = new StringBuilder();
		for (int i = depth; i < key.getNumberOfElements(); i++) {
			rest.append('.').append(key.getElement(i, ConfigurationPropertyName.Form.DASHED));
		}
		return new LitestreamConfigurationException(key.toString(),
				list + " is a list, but " + key + " is not in an entry of it, so Spring would ignore it",
				"Write it as " + list + "[0]" + rest + ": in YAML, begin each entry of " + list
						+ " with a dash (- " + key.getElement(depth, ConfigurationPropertyName.Form.DASHED) + ": ...).");
	}

	private static String kebab(String camelCase) {
		return camelCase.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
	}

	/** Levenshtein distance. */
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
