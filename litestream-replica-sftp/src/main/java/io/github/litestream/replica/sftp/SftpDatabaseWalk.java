package io.github.litestream.replica.sftp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.github.litestream.replica.DatabaseWalk;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;

/**
 * Finds the databases that directory replication stored below a replica's root over SFTP with
 * core's {@link DatabaseWalk}, listing remote directories as a file replica lists local ones.
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
		String top = root.isEmpty() ? "." : root;
		return DatabaseWalk.databasesBelow((relative) -> directories(relative.isEmpty() ? top : join(top, relative)),
				recursive);
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
