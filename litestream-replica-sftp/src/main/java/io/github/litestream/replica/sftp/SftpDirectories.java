package io.github.litestream.replica.sftp;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.sftp.client.SftpClient;

/**
 * The directories of one {@link SftpReplicaClient} on the server: created with their parents
 * as writes need them, and remembered once they exist, so that most writes need no directory
 * requests. What is remembered can go stale (another process's retention removes a directory);
 * the client then forgets it all, or the tree of a generation it deleted itself.
 */
final class SftpDirectories implements SftpConditionalObjects.Directories {

	/** Directories known to exist, so that most writes need no directory requests. */
	private final Set<String> known = ConcurrentHashMap.newKeySet();

	@Override
	public void create(SftpClient sftp, String dir) throws IOException {
		if (dir.isEmpty() || dir.equals("/") || dir.equals(".") || this.known.contains(dir)) {
			return;
		}
		try {
			if (!sftp.stat(dir).isDirectory()) {
				throw new IOException("'" + dir + "' exists on the server but is not a directory");
			}
		}
		catch (IOException ex) {
			if (!SftpErrors.isNoSuchFile(ex)) {
				throw ex;
			}
			int slash = dir.lastIndexOf('/');
			if (slash > 0) {
				create(sftp, dir.substring(0, slash));
			}
			try {
				sftp.mkdir(dir);
			}
			catch (IOException mkdirFailed) {
				// Another writer may have created it meanwhile.
				if (!isDirectory(sftp, dir)) {
					throw mkdirFailed;
				}
			}
		}
		this.known.add(dir);
	}

	/** Forgets every directory, after a write found one gone or failed. */
	void forgetAll() {
		this.known.clear();
	}

	/**
	 * Forgets a directory and those below it, before it is deleted.
	 * @param dir the directory
	 */
	void forgetTree(String dir) {
		this.known.removeIf((known) -> known.equals(dir) || known.startsWith(dir + "/"));
	}

	private static boolean isDirectory(SftpClient sftp, String dir) {
		try {
			return sftp.stat(dir).isDirectory();
		}
		catch (IOException ex) {
			return false;
		}
	}

}
