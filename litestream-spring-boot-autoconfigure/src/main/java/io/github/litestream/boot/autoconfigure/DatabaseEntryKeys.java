package io.github.litestream.boot.autoconfigure;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * Checks that every key set under a {@code litestream.dbs[n]} entry is one the entry has.
 * Spring ignores an unknown key without a word, and here a misspelt key turns a guarantee off
 * ({@code synchronous-replication}, {@code lease.enabled}, {@code restore.fall-back}) while the
 * application runs as if it were on. The keys of the replicas are checked, per type, by
 * {@link ReplicaEntryValidator}.
 */
final class DatabaseEntryKeys {

	private static final Logger logger = LoggerFactory.getLogger(DatabaseEntryKeys.class);

	/** Litestream's keys the starter reads and ignores: the engine keeps its state next to the database. */
	private static final List<String> IGNORED = List.of("meta-path");

	/**
	 * Litestream v0.5's keys of a database entry that the starter has once, directly under
	 * {@code litestream.}: the key there, and what it applies to.
	 */
	private static final Map<String, String> GLOBAL = Map.of("busy-timeout",
			"every connection of a replicated DataSource and the engine's own");

	/** The keys, dotted and in kebab case, such as {@code restore.fall-back}; a list's name ends with {@code []}. */
	private static final List<String> KEYS = KeyNames.of(LitestreamProperties.Database.class, "");

	private DatabaseEntryKeys() {
	}

	/**
	 * Refuses the first key under a database entry that the entry does not have, and in the
	 * application warns about a key of Litestream's that it ignores.
	 * @param prefix the entry's property prefix, such as {@code litestream.dbs[0]}
	 * @param keys the full names of the keys set under it
	 * @param application whether the keys configure a running application rather than a tool
	 * that only reads replicas
	 * @throws LitestreamConfigurationException naming the key, and the key it may be a misspelling of
	 */
	static void requireKnown(String prefix, Collection<ConfigurationPropertyName> keys, boolean application) {
		int depth = ConfigurationPropertyName.of(prefix).getNumberOfElements();
		for (ConfigurationPropertyName key : keys) {
			String written = KeyNames.uniform(key, depth);
			if (key.getNumberOfElements() > depth
					&& key.getElement(depth, ConfigurationPropertyName.Form.UNIFORM).equals("replica")) {
				// Litestream v0.5's single 'replica:' would leave the database without any backup.
				throw new LitestreamConfigurationException(prefix + ".replica",
						prefix + ".replica is Litestream v0.5's key; here replicas are a list, so the database has "
								+ "no replica and nothing of it would be backed up",
						"Move the keys of " + prefix + ".replica to " + prefix + ".replicas[0].");
			}
			if (key.getNumberOfElements() > depth
					&& key.getElement(depth, ConfigurationPropertyName.Form.UNIFORM).equals("replicas")
					&& !KeyNames.indexesAList(key, depth + 1)) {
				// 'replicas:' without the dash before 'url:': the database would have no replica.
				throw KeyNames.notAnEntry(key, prefix + ".replicas");
			}
			if (IGNORED.stream().anyMatch((ignored) -> written.equals(KeyNames.uniform(ignored)))) {
				if (application) {
					// A sidecar's state kept there is not continued: the first start begins a new generation.
					logger.warn("{} is ignored: the engine keeps its state in .<name>-litestream beside the database, "
							+ "so the first start begins a new generation with a snapshot. Remove it", key);
				}
			}
			else if (KEYS.stream().noneMatch((known) -> matches(written, known))) {
				throw global(prefix, written).orElseGet(() -> unknown(prefix, key, written));
			}
		}
	}

	private static boolean matches(String written, String known) {
		boolean list = known.endsWith("[]");
		String name = KeyNames.uniform(known);
		return list ? written.startsWith(name) : written.equals(name);
	}

	private static Optional<LitestreamConfigurationException> global(String prefix, String written) {
		return GLOBAL.entrySet()
			.stream()
			.filter((global) -> KeyNames.uniform(global.getKey()).equals(written))
			.findFirst()
			.map((global) -> new LitestreamConfigurationException(prefix + "." + global.getKey(),
					prefix + "." + global.getKey() + " is Litestream v0.5's key of a database; here it is set once, for "
							+ global.getValue(),
					"Move it to litestream." + global.getKey() + " (for every database), or remove it."));
	}

	private static LitestreamConfigurationException unknown(String prefix, ConfigurationPropertyName key, String written) {
		String problem = key + " is not a key of a database entry, so Spring would ignore it";
		return KeyNames.closest(written, KEYS)
			.map((closest) -> new LitestreamConfigurationException(key.toString(), problem,
					"Did you mean " + prefix + "." + closest + "? Correct it, or remove it."))
			.orElseGet(() -> new LitestreamConfigurationException(key.toString(), problem,
					"Remove it; a database entry has the keys "
							+ String.join(", ", KEYS.stream().map((known) -> known.replace("[]", "")).toList()) + "."));
	}

}
