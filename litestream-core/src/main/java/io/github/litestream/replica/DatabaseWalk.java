package io.github.litestream.replica;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds the databases that directory replication stored below a replica's root, the same way
 * on every backend: a folder holding a {@code generations} folder is a database; other folders
 * are searched only when recursive. The root's own {@code generations} folder is searched too (a
 * tenant subdirectory may bear that name), but not the generations it holds, if any: those are
 * a database's at the root, not databases below it. A backend supplies only how to list the
 * folders inside a folder, once per folder.
 */
public final class DatabaseWalk {

	private DatabaseWalk() {
	}

	/**
	 * The databases below a replica's root.
	 * @param folders lists the folders inside a folder of the replica
	 * @param recursive whether to look below the first level too
	 * @return their {@code /}-separated paths relative to the root, sorted
	 * @throws IOException if a folder cannot be listed
	 */
	public static List<String> databasesBelow(Folders folders, boolean recursive) throws IOException {
		List<String> databases = new ArrayList<>();
		collect(folders, "", folders.inside(""), recursive, databases);
		databases.sort(Comparator.naturalOrder());
		return databases;
	}

	private static void collect(Folders folders, String relative, List<String> children, boolean recursive,
			List<String> databases) throws IOException {
		for (String child : children) {
			boolean rootGenerations = relative.isEmpty() && child.equals(ReplicaLayout.GENERATIONS);
			String path = relative + child;
			List<String> grandchildren = folders.inside(path);
			if (rootGenerations) {
				grandchildren = grandchildren.stream().filter((name) -> !Pos.isGeneration(name)).toList();
			}
			if (grandchildren.contains(ReplicaLayout.GENERATIONS)) {
				databases.add(path);
			}
			else if (recursive && !grandchildren.isEmpty()) {
				collect(folders, path + "/", grandchildren, true, databases);
			}
		}
	}

	/**
	 * How a backend lists the folders (directories, or prefixes of an object store) inside one.
	 */
	@FunctionalInterface
	public interface Folders {

		/**
		 * The names of the folders directly inside a folder.
		 * @param relativePath the folder, relative to the replica's root and {@code /}-separated;
		 * empty for the root
		 * @return the names; empty if the folder does not exist
		 * @throws IOException if it cannot be listed
		 */
		List<String> inside(String relativePath) throws IOException;

	}

}
