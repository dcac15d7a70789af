package io.github.litestream.boot.autoconfigure;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * Checks the keys set directly under {@code litestream.}. Spring ignores an unknown key without
 * a word, and here a misspelt {@code dbs} leaves every database without a backup while the
 * application runs as if replicated. The keys inside each {@code litestream.dbs[n]} entry are
 * checked by {@link DatabaseEntryKeys}.
 *
 * <p>Keys of the sidecar's {@code litestream.yml} are told apart from misspellings:
 * <ul>
 * <li>those that mean nothing in-process ({@code addr}, {@code logging}, {@code exec}, v0.5's
 * {@code mcp-addr}) are ignored, in the application with a WARN that says what does their job
 * here; a tool reading the sidecar's file ignores them without a word, as Litestream's own
 * {@code restore} does;</li>
 * <li>v0.5's global snapshot and compaction settings are refused: ignoring them would keep
 * backups for other periods than the ones written.</li>
 * </ul>
 * Environment variables are not checked (see {@link ReplicaEntrySource#topLevelKeys()}). A
 * JVM system property is refused only when it is a misspelling of a key (within the distance
 * {@link KeyNames#closest} allows, {@code -Dlitestream.shutdown-timout}): the JVM's properties
 * also carry settings read outside Spring ({@code litestream.age.provider}) and other programs'
 * own, which a check against the starter's keys would refuse.
 */
final class TopLevelKeys {

	private static final Logger logger = LoggerFactory.getLogger(TopLevelKeys.class);

	private static final String PREFIX = "litestream";

	/** The groups of the actuator's own properties, bound by their own classes. */
	private static final List<String> GROUPS = List.of("metrics", "health");

	private static final Map<String, String> SIDECAR_ONLY = Map.of("addr",
			"Litestream's metrics server; here the metrics are Micrometer's, served by Spring Boot Actuator "
					+ "(/actuator/prometheus with micrometer-registry-prometheus)",
			"logging", "Litestream's log settings; here Spring Boot's logging applies "
					+ "(logging.level.io.github.litestream)",
			"exec", "the process Litestream runs and watches; here the application is that process", "mcp-addr",
			"Litestream v0.5's MCP server, which this starter does not have");

	private static final Map<String, String> V05_ONLY = Map.of("snapshot",
			"set snapshot-interval and retention on each replica (litestream.dbs[n].replicas[m])", "levels",
			"remove it: v0.3's layout, which this starter writes, has no compaction levels", "l0-retention",
			"remove it and set retention on each replica (litestream.dbs[n].replicas[m].retention)",
			"l0-retention-check-interval",
			"remove it and set retention-check-interval on each replica (litestream.dbs[n].replicas[m])");

	/** The top-level keys, dotted and in kebab case; a list's name ends with {@code []}. */
	private static final List<String> KEYS = keys();

	private TopLevelKeys() {
	}

	/**
	 * Refuses the first key directly under {@code litestream.} that the starter does not have, and
	 * in the application warns once about each key of the sidecar that has no meaning in-process.
	 * @param keys the full names of the keys set under {@code litestream.}
	 * @param application whether the keys configure a running application rather than a tool
	 * that only reads replicas
	 * @throws LitestreamConfigurationException naming the key, and the key it may be a misspelling of
	 */
	static void requireKnown(Collection<ConfigurationPropertyName> keys, boolean application) {
		Set<String> warned = new LinkedHashSet<>();
		for (ConfigurationPropertyName key : keys) {
			if (key.getNumberOfElements() < 2) {
				continue;
			}
			String first = key.getElement(1, ConfigurationPropertyName.Form.UNIFORM);
			Optional<String> known = KEYS.stream().filter((name) -> KeyNames.uniform(name).equals(first)).findFirst();
			if (known.isPresent()) {
				if (known.get().endsWith("[]") && !KeyNames.indexesAList(key, 2)) {
					// 'dbs:' without the dash before 'path:': no database would be replicated.
					throw KeyNames.notAnEntry(key, PREFIX + "." + key.getElement(1, ConfigurationPropertyName.Form.DASHED));
				}
				continue;
			}
			String property = PREFIX + "." + key.getElement(1, ConfigurationPropertyName.Form.DASHED);
			String sidecar = lookUp(SIDECAR_ONLY, first);
			if (sidecar != null) {
				if (application && warned.add(property)) {
					logger.warn("{} is ignored: it is {}. Remove it", property, sidecar);
				}
				continue;
			}
			if (first.equals("age")) {
				throw new LitestreamConfigurationException(property,
						property + " is not read from the configuration: age encryption is set on each replica, and "
								+ "its provider is a JVM system property",
						"Move recipients and identities to litestream.dbs[n].replicas[m].age; choose the provider "
								+ "with -D" + PREFIX + ".age.provider=auto|jdk|conscrypt on the java command line.");
			}
			String v05 = lookUp(V05_ONLY, first);
			if (v05 != null) {
				throw new LitestreamConfigurationException(property,
						property + " is Litestream v0.5's key, which this starter does not read; the backups would be "
								+ "kept and snapshotted otherwise than it says",
						"Remove " + property + " and " + v05 + ".");
			}
			throw unknown(key, property, first);
		}
	}

	/**
	 * Refuses the first JVM system property directly under {@code litestream.} that is not a key
	 * of the starter but is a misspelling of one; leaves the others alone.
	 * @param keys the full names of the system properties under {@code litestream.}
	 * @throws LitestreamConfigurationException naming the property and the key it meant
	 */
	static void requireNoMisspelling(Collection<ConfigurationPropertyName> keys) {
		for (ConfigurationPropertyName key : keys) {
			if (key.getNumberOfElements() < 2) {
				continue;
			}
			String first = key.getElement(1, ConfigurationPropertyName.Form.UNIFORM);
			if (KEYS.stream().anyMatch((known) -> KeyNames.uniform(known).equals(first))) {
				continue;
			}
			KeyNames.closest(first, KEYS).ifPresent((closest) -> {
				throw new LitestreamConfigurationException(key.toString(),
						"the JVM system property " + key + " is not a key of the starter, so Spring would ignore it",
						"Did you mean " + PREFIX + "." + closest + "? Correct the -D" + key
								+ " option on the java command line, or remove it.");
			});
		}
	}

	private static String lookUp(Map<String, String> keys, String uniform) {
		return keys.entrySet()
			.stream()
			.filter((entry) -> KeyNames.uniform(entry.getKey()).equals(uniform))
			.map(Map.Entry::getValue)
			.findFirst()
			.orElse(null);
	}

	private static LitestreamConfigurationException unknown(ConfigurationPropertyName key, String property,
			String written) {
		String problem = key + " is not a key of the starter, so Spring would ignore it";
		return KeyNames.closest(written, KEYS)
			.map((closest) -> new LitestreamConfigurationException(key.toString(), problem,
					"Did you mean " + PREFIX + "." + closest + "? Correct it, or remove it."))
			.orElseGet(() -> new LitestreamConfigurationException(key.toString(), problem,
					"Remove " + property + "; the keys under " + PREFIX + ". are "
							+ String.join(", ", KEYS.stream().map((known) -> known.replace("[]", "")).toList()) + "."));
	}

	private static List<String> keys() {
		List<String> keys = new ArrayList<>();
		// Only the first element of each: nested keys are the classes' own to check.
		for (String key : KeyNames.of(LitestreamProperties.class, "")) {
			String first = key.split("\\.")[0];
			if (!keys.contains(first)) {
				keys.add(first);
			}
		}
		keys.addAll(GROUPS);
		return List.copyOf(keys);
	}

}
