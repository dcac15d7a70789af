package io.github.litestream.replica.sftp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.CopyMode;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.jspecify.annotations.Nullable;

/**
 * The file operations an SFTP replica builds on, each on one SFTP channel: streaming a file
 * up, replacing one file by another, giving a file a name only if that name is free, removing
 * a file that may be gone already, reading a directory that may be missing.
 */
final class SftpFiles {

	private SftpFiles() {
	}

	/**
	 * Writes a stream to a new remote file through a fixed-size buffer (the SFTP client keeps
	 * a bounded number of writes in flight).
	 * @param content the data, read to its end
	 * @param sftp the channel
	 * @param file the remote file, created or truncated
	 * @param bufferSize the buffer size
	 * @return the bytes written
	 * @throws IOException if reading or writing fails
	 */
	static long copy(InputStream content, SftpClient sftp, String file, int bufferSize) throws IOException {
		long written = 0;
		byte[] buffer = new byte[bufferSize];
		try (OutputStream out = sftp.write(file, bufferSize, OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
			for (int n = content.read(buffer); n >= 0; n = content.read(buffer)) {
				out.write(buffer, 0, n);
				written += n;
			}
		}
		return written;
	}

	/**
	 * Renames a file over another, atomically where the server can.
	 * @param sftp the channel
	 * @param from the file to rename
	 * @param to its new name, replaced if it exists
	 * @throws IOException if the rename fails
	 */
	static void replace(SftpClient sftp, String from, String to) throws IOException {
		OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
		if (posix != null && posix.isSupported()) {
			posix.posixRename(from, to);
		}
		else if (sftp.getVersion() >= 5) {
			sftp.rename(from, to, CopyMode.Overwrite);
		}
		else {
			replaceInSteps(sftp, from, to);
		}
	}

	/**
	 * SFTP v3 without the extension cannot replace a file: the old one is moved aside to a hidden
	 * name (which no listing matches) and moved back if the rename fails, so a failure never
	 * loses it. Readers may find it briefly absent.
	 */
	private static void replaceInSteps(SftpClient sftp, String from, String to) throws IOException {
		int slash = to.lastIndexOf('/');
		String aside = to.substring(0, slash + 1) + "." + to.substring(slash + 1) + "." + UUID.randomUUID()
				+ ".replaced";
		boolean movedAside = true;
		try {
			sftp.rename(to, aside);
		}
		catch (IOException ex) {
			if (!SftpErrors.isNoSuchFile(ex)) {
				throw ex;
			}
			movedAside = false;
		}
		try {
			sftp.rename(from, to);
		}
		catch (IOException ex) {
			if (movedAside) {
				try {
					sftp.rename(aside, to);
				}
				catch (IOException restore) {
					ex.addSuppressed(restore);
				}
			}
			throw ex;
		}
		if (movedAside) {
			try {
				sftp.remove(aside);
			}
			catch (IOException ex) {
				// The new file is in place; a hidden leftover costs only its space.
			}
		}
	}

	/**
	 * Gives a complete file a new name only if no file has that name, in one step on the
	 * server, so that of two callers claiming the same name exactly one succeeds. With
	 * {@code hardlink@openssh.com} the server links the file ({@code link(2)} fails if the name
	 * exists); without it, a plain SFTP v3 rename, which the protocol says must fail if the
	 * target exists (OpenSSH's sftp-server does it with {@code link(2)} too, other servers may
	 * check and rename in two steps).
	 * @param sftp the channel
	 * @param from the complete file; it may keep its name after the claim, for the caller to
	 * remove
	 * @param to the name to claim
	 * @return {@code true} if the file now has that name, {@code false} if the name was taken
	 * @throws IOException if the server refused for another reason
	 */
	static boolean claim(SftpClient sftp, String from, String to) throws IOException {
		OpenSshHardLink hardLink = OpenSshHardLink.of(sftp);
		try {
			if (hardLink != null) {
				hardLink.link(from, to);
			}
			else {
				sftp.rename(from, to);
			}
			return true;
		}
		catch (IOException ex) {
			// Servers answer a taken name differently (OpenSSH: a plain failure), so look.
			if (exists(sftp, to)) {
				return false;
			}
			throw ex;
		}
	}

	/**
	 * Whether a file exists.
	 * @param sftp the channel
	 * @param path the file
	 * @return whether it exists
	 * @throws IOException if the server cannot tell
	 */
	static boolean exists(SftpClient sftp, String path) throws IOException {
		try {
			sftp.lstat(path);
			return true;
		}
		catch (IOException ex) {
			if (SftpErrors.isNoSuchFile(ex)) {
				return false;
			}
			throw ex;
		}
	}

	/**
	 * Removes a file.
	 * @param sftp the channel
	 * @param path the file
	 * @return whether it existed
	 * @throws IOException if it exists and cannot be removed
	 */
	static boolean removeIfExists(SftpClient sftp, String path) throws IOException {
		try {
			sftp.remove(path);
			return true;
		}
		catch (IOException ex) {
			if (SftpErrors.isNoSuchFile(ex)) {
				return false;
			}
			throw ex;
		}
	}

	/**
	 * Reads a whole directory.
	 * @param sftp the channel
	 * @param dir the directory
	 * @return its entries, {@code .} and {@code ..} included, or {@code null} if it does not exist
	 * @throws IOException if it exists and cannot be read
	 */
	static @Nullable List<DirEntry> readDirIfExists(SftpClient sftp, String dir) throws IOException {
		List<DirEntry> entries = new ArrayList<>();
		try {
			// The iterator reports a failure after the first batch as an UncheckedIOException.
			for (DirEntry entry : sftp.readDir(dir)) {
				entries.add(entry);
			}
		}
		catch (UncheckedIOException ex) {
			if (!SftpErrors.isNoSuchFile(ex.getCause())) {
				throw ex.getCause();
			}
			return null;
		}
		catch (IOException ex) {
			if (!SftpErrors.isNoSuchFile(ex)) {
				throw ex;
			}
			return null;
		}
		return entries;
	}

}
