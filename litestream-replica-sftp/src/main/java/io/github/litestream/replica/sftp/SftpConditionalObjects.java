package io.github.litestream.replica.sftp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.ReplicaObjectNotFoundException;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;

/**
 * {@link ConditionalObjects} over SFTP, which has no compare-and-swap: every version of an
 * object is a file of its own, numbered, that is never changed once it has its name.
 *
 * <p>Object {@code lease.json} is the files {@code lease.json.1}, {@code lease.json.2}, … at
 * the replica's root; the highest number is the current version, and the number is the
 * version. Writing version <i>n</i> uploads the content to a temporary name starting with a
 * dot (which no version or listing pattern matches) and then claims the name
 * {@code lease.json.n} with {@link SftpFiles#claim}, which succeeds for exactly one of several
 * writers and only ever exposes a complete file. A create claims number 1 after finding no
 * version; a replace of version <i>n</i> claims <i>n</i>+1 after finding that <i>n</i> is
 * still the newest.
 *
 * <p>Old versions are removed after each successful write, all but the last
 * {@value #KEPT_VERSIONS}. Removal is what makes the check after the claim necessary: a writer
 * that found <i>n</i> newest and then paused could claim <i>n</i>+1 after others had written
 * <i>n</i>+1 and <i>n</i>+2 and removed <i>n</i>+1. So a writer lists again after its claim
 * and reports a conflict if any higher number exists; the stray file is below the newest,
 * never read, and removed later. Such a writer may in rare cases have been the real winner,
 * superseded in between: it then reports a conflict for a write that others already built on,
 * which is the safe direction for a lease. Readers that find the newest file removed under
 * them (it was superseded meanwhile) list again.
 *
 * <p>Numbers restart at 1 only if someone removes every version by hand; a writer still
 * holding an old number could then succeed against the new object of the same number.
 */
final class SftpConditionalObjects implements ConditionalObjects {

	static final int KEPT_VERSIONS = 2;

	private static final int READ_ATTEMPTS = 5;

	private static final int BUFFER_SIZE = 32 * 1024;

	private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,17}");

	private final SftpRequests requests;

	private final SftpReplicaConfig config;

	private final ReplicaOperationListener listener;

	private final Directories directories;

	SftpConditionalObjects(SftpRequests requests, SftpReplicaConfig config, ReplicaOperationListener listener,
			Directories directories) {
		this.requests = requests;
		this.config = config;
		this.listener = listener;
		this.directories = directories;
	}

	@Override
	public Optional<VersionedObject> read(String name) throws IOException {
		checkName(name);
		for (int attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
			List<Long> versions = versions(name);
			if (versions.isEmpty()) {
				return Optional.empty();
			}
			long newest = versions.get(0);
			try {
				return Optional.of(new VersionedObject(readFile(versionPath(name, newest)), Long.toString(newest)));
			}
			catch (ReplicaObjectNotFoundException ex) {
				// Superseded and removed since the listing: look again.
			}
		}
		throw new IOException("Cannot read '" + name + "' in SFTP replica " + this.config.location()
				+ ": its newest version was replaced " + READ_ATTEMPTS + " times while it was being read");
	}

	@Override
	public String create(String name, byte[] content) throws IOException {
		checkName(name);
		if (!versions(name).isEmpty()) {
			throw conflict(name, "it already exists");
		}
		return write(name, content, 1);
	}

	@Override
	public String replace(String name, byte[] content, String version) throws IOException {
		checkName(name);
		if (!NUMBER.matcher(version).matches()) {
			throw new IllegalArgumentException("Not a version of an object in an SFTP replica: '" + version + "'");
		}
		long expected = Long.parseLong(version);
		List<Long> versions = versions(name);
		if (versions.isEmpty() || versions.get(0) != expected) {
			throw conflict(name, "version " + version + " is not the newest"
					+ (versions.isEmpty() ? " (it does not exist)" : " (" + versions.get(0) + " is)"));
		}
		return write(name, content, expected + 1);
	}

	/**
	 * Creates and replaces decide most conflicts from a listing, so refused writes never test the
	 * claim itself. With {@code hardlink@openssh.com} the claim is a {@code link(2)}, which cannot
	 * replace a file; without it, it is the server's rename, which the protocol says must fail on
	 * an existing name but which some servers implement with a replacing {@code rename(2)}. That
	 * is tried here: a second claim of a name must fail.
	 */
	@Override
	public Optional<String> exclusivityProblem() throws IOException {
		String root = root();
		this.requests.retrying("create directory", root, (sftp) -> {
			this.directories.create(sftp, root);
			return null;
		});
		String probe = this.config.remotePath(".claim-probe." + UUID.randomUUID());
		String first = probe + ".1.tmp";
		String second = probe + ".2.tmp";
		try {
			return this.requests.once("check exclusive claims", probe, (sftp) -> {
				if (OpenSshHardLink.of(sftp) != null) {
					return Optional.empty();
				}
				for (String temp : List.of(first, second)) {
					SftpFiles.copy(new ByteArrayInputStream(new byte[] { 1 }), sftp, temp, BUFFER_SIZE);
				}
				if (!SftpFiles.claim(sftp, first, probe)) {
					throw new IOException("Could not claim the fresh name " + probe);
				}
				return SftpFiles.claim(sftp, second, probe) ? Optional.of("the SFTP server's rename replaces an "
						+ "existing file and it offers no hardlink@openssh.com, so two instances could claim the same "
						+ "lease version; use a server that does either (OpenSSH's sftp-server does both)")
						: Optional.<String>empty();
			});
		}
		finally {
			for (String path : List.of(first, second, probe)) {
				remove(path);
			}
		}
	}

	private String write(String name, byte[] content, long number) throws IOException {
		String root = root();
		String target = versionPath(name, number);
		String temp = this.config.remotePath("." + name + "." + UUID.randomUUID() + ".tmp");
		this.requests.retrying("create directory", root, (sftp) -> {
			this.directories.create(sftp, root);
			return null;
		});
		boolean claimed;
		try {
			this.requests.retrying("write object", temp, (sftp) -> SftpFiles.copy(new ByteArrayInputStream(content), sftp,
					temp, BUFFER_SIZE));
			// Once only: a retry after a lost answer would find the name taken by this very claim.
			claimed = this.requests.once("claim version", target, (sftp) -> SftpFiles.claim(sftp, temp, target));
		}
		finally {
			remove(temp);
			this.listener.onOperation(ReplicaOperation.PUT, content.length);
		}
		if (!claimed) {
			throw conflict(name, "version " + number + " was written by someone else first");
		}
		List<Long> versions = versions(name);
		if (!versions.isEmpty() && versions.get(0) > number) {
			throw conflict(name, "version " + versions.get(0) + " is newer than the " + number + " just written");
		}
		for (Long old : versions) {
			if (old <= number - KEPT_VERSIONS) {
				remove(versionPath(name, old));
				this.listener.onOperation(ReplicaOperation.DELETE, 0);
			}
		}
		return Long.toString(number);
	}

	/** The object's version numbers, newest first. */
	private List<Long> versions(String name) throws IOException {
		String root = root();
		String prefix = name + ".";
		try {
			return this.requests.retrying("list versions of " + name, root, (sftp) -> {
				List<Long> versions = new ArrayList<>();
				for (DirEntry entry : readDirIfExists(sftp, root)) {
					String file = entry.getFilename();
					if (file.startsWith(prefix) && NUMBER.matcher(file.substring(prefix.length())).matches()
							&& entry.getAttributes().isRegularFile()) {
						versions.add(Long.parseLong(file.substring(prefix.length())));
					}
				}
				versions.sort(Comparator.reverseOrder());
				return versions;
			});
		}
		finally {
			this.listener.onOperation(ReplicaOperation.LIST, 0);
		}
	}

	private static List<DirEntry> readDirIfExists(SftpClient sftp, String dir) throws IOException {
		List<DirEntry> entries = new ArrayList<>();
		try {
			for (DirEntry entry : sftp.readDir(dir)) {
				entries.add(entry);
			}
		}
		catch (UncheckedIOException ex) {
			if (!SftpErrors.isNoSuchFile(ex.getCause())) {
				throw ex.getCause();
			}
		}
		catch (IOException ex) {
			if (!SftpErrors.isNoSuchFile(ex)) {
				throw ex;
			}
		}
		return entries;
	}

	private byte[] readFile(String path) throws IOException {
		long[] size = new long[1];
		try {
			return this.requests.retrying("read object", path, (sftp) -> {
				try (InputStream in = sftp.read(path, BUFFER_SIZE)) {
					byte[] content = in.readAllBytes();
					size[0] = content.length;
					return content;
				}
			});
		}
		finally {
			this.listener.onOperation(ReplicaOperation.GET, size[0]);
		}
	}

	private void remove(String path) {
		try {
			this.requests.retrying("delete object", path, (sftp) -> SftpFiles.removeIfExists(sftp, path));
		}
		catch (IOException ex) {
			// A leftover temporary file matches no pattern, an old version is below the newest;
			// the next successful write removes old versions again.
		}
	}

	private String root() {
		return this.config.path().isEmpty() ? "." : this.config.path();
	}

	private String versionPath(String name, long number) {
		return this.config.remotePath(name + "." + number);
	}

	private ConditionalWriteConflictException conflict(String name, String reason) {
		return new ConditionalWriteConflictException("Not written: '" + name + "' in SFTP replica "
				+ this.config.location() + ", because " + reason);
	}

	private static void checkName(String name) {
		if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
			throw new IllegalArgumentException("Not a name at the replica root: '" + name + "'");
		}
	}

	/**
	 * Creates a directory and its parents on the server.
	 */
	@FunctionalInterface
	interface Directories {

		void create(SftpClient sftp, String dir) throws IOException;

	}

}
