package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks that a replica holds only what the stock Litestream v0.3 CLI reads, laid out as in the
 * committed fixture {@code fixtures/litestream-v0.3.14-file-replica}:
 * {@code generations/<16 hex>/snapshots/<8 hex>.snapshot.lz4} and
 * {@code generations/<16 hex>/wal/<8 hex>_<8 hex>.wal.lz4}, plus the lease objects at the root
 * ({@code lease.json} and {@code lease-probe.json}; numbered versions of them in a directory),
 * which the CLI never reads. Anything else would be an object the CLI ignores or trips over.
 */
public final class StockLayout {

	private static final Pattern DATA = Pattern.compile(
			"generations/([0-9a-f]{16})/(snapshots/[0-9a-f]{8}\\.snapshot|wal/[0-9a-f]{8}_[0-9a-f]{8}\\.wal)\\.lz4");

	private static final Pattern LEASE = Pattern.compile("lease(-probe)?\\.json(\\.[0-9]+)?");

	/** A file replica's write in progress ({@code .<name>.<uuid>.tmp}); a killed writer can leave one. */
	private static final Pattern TEMPORARY = Pattern.compile("(.*/)?\\.[^/]+\\.tmp");

	private StockLayout() {
	}

	/**
	 * Checks every file below a replica's root.
	 * @param root the replica's objects as local files (see {@link ReplicaObjects})
	 * @param afterKill whether a writer was killed: its temporary files are then tolerated
	 * @return the generations found
	 * @throws IOException if the tree cannot be walked
	 * @throws AssertionError naming every file outside the layout
	 */
	public static Set<String> generations(Path root, boolean afterKill) throws IOException {
		Set<String> generations = new TreeSet<>();
		List<String> strays = new ArrayList<>();
		try (Stream<Path> files = Files.walk(root)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				String key = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
				Matcher data = DATA.matcher(key);
				if (data.matches()) {
					generations.add(data.group(1));
				}
				else if (!LEASE.matcher(key).matches() && !(afterKill && TEMPORARY.matcher(key).matches())) {
					strays.add(key);
				}
			}
		}
		if (!strays.isEmpty()) {
			throw new AssertionError("Objects outside the stock Litestream layout in " + root + ": " + strays);
		}
		return generations;
	}

}
