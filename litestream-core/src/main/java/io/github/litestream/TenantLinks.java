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

import org.jspecify.annotations.Nullable;
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

	/** The candidates of this scan, by relative path (sorted), with what identifies the file each reaches. */
	private final Map<String, Object> reached = new TreeMap<>();

	TenantLinks(Path directory) {
		this.directory = directory;
	}

	/** Starts a scan. */
	void begin() {
		this.warnings.clear();
		this.reached.clear();
	}

	/**
	 * A candidate the scan found, through links or not.
	 * @param relative its path relative to the directory
	 * @param file its path in the directory
	 * @param fileKey what identifies the file it reaches ({@code BasicFileAttributes#fileKey}:
	 * device and inode, free from the walk), or {@code null} where the system has none
	 */
	void candidate(String relative, Path file, @Nullable Object fileKey) {
		Object identity = (fileKey != null) ? fileKey : realPath(file);
		if (identity != null) {
			this.reached.put(relative, identity);
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
		Map<Object, List<String>> names = new HashMap<>();
		this.reached.forEach((relative, identity) -> names.computeIfAbsent(identity, (i) -> new ArrayList<>())
			.add(relative));
		Map<String, Path> kept = new HashMap<>();
		for (List<String> relatives : names.values()) {
			String keep = (relatives.size() == 1) ? relatives.get(0) : oneOf(relatives);
			kept.put(keep, this.directory.resolve(keep));
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

	/**
	 * The name to keep of a file reached under several (sorted) names: the one that goes
	 * through no link, else the first; the others are logged.
	 */
	private String oneOf(List<String> relatives) {
		Path real = realPath(this.directory.resolve(relatives.get(0)));
		Path realDirectory = realPath(this.directory);
		String keep = relatives.stream()
			.filter((relative) -> realDirectory != null && realDirectory.resolve(relative).equals(real))
			.findFirst()
			.orElse(relatives.get(0));
		for (String alias : relatives) {
			if (!alias.equals(keep)) {
				this.warnings.put(alias, "Not replicating " + alias + " of " + this.directory + ": it reaches "
						+ ((real != null) ? real : "the same file") + ", replicated as " + keep
						+ " (one database, one name)");
			}
		}
		return keep;
	}

	private static @Nullable Path realPath(Path path) {
		try {
			return path.toRealPath();
		}
		catch (IOException ex) {
			// Gone meanwhile: the next scan sees.
			return null;
		}
	}

}
