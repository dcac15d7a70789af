package io.github.litestream.replica.sftp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.github.litestream.replica.ReplicaLayout;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;

/**
 * Finds the databases that directory replication stored below a replica's root over SFTP, as a
 * file replica does: a directory holding a {@code generations} directory is a database; the
 * others are searched when recursive; the root's own {@code generations} is skipped.
 */
final class SftpDatabaseWalk {

	/** Lists one remote directory, empty when it does not exist. */
	@FunctionalInterface
	interface Lister {

		List<DirEntry> list(String dir) throws IOException;

	}

	private final Lister lister;

	SftpDatabaseWalk(Lister lister) {
		this.lister = lister;
	}

	/**
	 * The databases below a root.
	 * @param root the replica's remote root, empty for the login directory
	 * @param recursive whether to look below the first level too
	 * @return their {@code /}-separated paths relative to the root, sorted
	 * @throws IOException if a directory cannot be listed
	 */
	List<String> below(String root, boolean recursive) throws IOException {
		List<String> databases = new ArrayList<>();
		collect(root.isEmpty() ? "." : root, "", recursive, databases);
		databases.sort(Comparator.naturalOrder());
		return databases;
	}

	private void collect(String dir, String relative, boolean recursive, List<String> databases) throws IOException {
		for (String child : directories(dir)) {
			if (child.equals(ReplicaLayout.GENERATIONS)) {
				// The root's own backups, not a database below it.
				continue;
			}
			String childDir = join(dir, child);
			List<String> grandchildren = directories(childDir);
			if (grandchildren.contains(ReplicaLayout.GENERATIONS)) {
				databases.add(relative + child);
			}
			else if (recursive && !grandchildren.isEmpty()) {
				collect(childDir, relative + child + "/", true, databases);
			}
		}
	}

	/** The subdirectories' names; links are not followed, like a file replica's walk. */
	private List<String> directories(String dir) throws IOException {
		List<String> names = new ArrayList<>();
		for (DirEntry entry : this.lister.list(dir)) {
			String name = entry.getFilename();
			if (!name.equals(".") && !name.equals("..") && entry.getAttributes().isDirectory()) {
				names.add(name);
			}
		}
		return names;
	}

	private static String join(String dir, String name) {
		return dir.endsWith("/") ? dir + name : dir + "/" + name;
	}

}
