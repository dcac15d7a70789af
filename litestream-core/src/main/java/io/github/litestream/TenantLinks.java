package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The symbolic links one scan of a replicated directory met, and what it tells the operator
 * about those it passed over. {@link TenantMatcher} follows links to files (wherever their
 * target lies, as SQLite itself does), and links to directories when recursive; this class
 * then keeps one name per database file: two names of one file (a link beside its target, a
 * linked subdirectory that reaches a tenant twice) would be two engines copying one WAL into
 * two replicas. The name that goes through no link wins, else the first in sorted order. A name
 * passed over (an alias, a dangling link, a directory link that loops) is logged at WARN once,
 * at the first scan that meets it, and again only if it disappears and comes back.
 */
final class TenantLinks {

	// The directory's category, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(DirectoryReplication.class);

	private final Path directory;

	/** The warnings of the previous scan, by what they name: logged once while they last. */
	private Set<String> warned = Set.of();

	/** This scan's warnings, by what they name. */
	private final Map<String, String> warnings = new LinkedHashMap<>();

	/** The candidates of this scan, by relative path, with the file each one reaches. */
	private final Map<String, Path> reached = new TreeMap<>();

	TenantLinks(Path directory) {
		this.directory = directory;
	}

	/** The directory with its own links resolved, for which names go through none below it. */
	private Path realDirectory;

	/** Starts a scan. */
	void begin() {
		this.warnings.clear();
		this.reached.clear();
		try {
			this.realDirectory = this.directory.toRealPath();
		}
		catch (IOException ex) {
			this.realDirectory = this.directory;
		}
	}

	/**
	 * A candidate the scan found, through links or not.
	 * @param relative its path relative to the directory
	 * @param file its path in the directory
	 */
	void candidate(String relative, Path file) {
		try {
			this.reached.put(relative, file.toRealPath());
		}
		catch (IOException ex) {
			// Gone meanwhile: the next scan sees.
		}
	}

	/** A link the scan met whose target does not exist: nothing to replicate until it does. */
	void dangling(String relative, Path link) {
		String target;
		try {
			target = Files.readSymbolicLink(link).toString();
		}
		catch (IOException ex) {
			target = "?";
		}
		this.warnings.put(relative, "Not replicating " + relative + " of " + this.directory + ": it is a link to "
				+ target + ", which does not exist; it is replicated once its target does");
	}

	/** A directory link that leads back into a directory the scan is already in. */
	void loop(String relative) {
		this.warnings.put(relative, "Not following " + relative + " of " + this.directory
				+ ": it links to a directory the scan is already in (a loop)");
	}

	/**
	 * Ends a scan: keeps one name per database file, and logs what is new among the names
	 * passed over.
	 * @return the candidates kept, by relative path
	 */
	Map<String, Path> end() {
		Map<Path, List<String>> names = new HashMap<>();
		this.reached.forEach((relative, real) -> names.computeIfAbsent(real, (r) -> new ArrayList<>()).add(relative));
		Map<String, Path> kept = new HashMap<>();
		for (Map.Entry<Path, List<String>> entry : names.entrySet()) {
			List<String> relatives = entry.getValue();
			String keep = relatives.stream()
				.filter((relative) -> this.realDirectory.resolve(relative).equals(entry.getKey()))
				.findFirst()
				.orElse(relatives.get(0));
			kept.put(keep, this.directory.resolve(keep));
			for (String alias : relatives) {
				if (!alias.equals(keep)) {
					this.warnings.put(alias, "Not replicating " + alias + " of " + this.directory + ": it reaches "
							+ entry.getKey() + ", replicated as " + keep + " (one database, one name)");
				}
			}
		}
		Set<String> now = new HashSet<>();
		this.warnings.forEach((named, message) -> {
			now.add(named + "\n" + message);
			if (!this.warned.contains(named + "\n" + message)) {
				logger.warn(message);
			}
		});
		this.warned = now;
		return kept;
	}

}
