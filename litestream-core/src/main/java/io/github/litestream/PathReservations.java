package io.github.litestream;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.sqlite.SqliteFiles;
import org.jspecify.annotations.Nullable;

/**
 * The paths a {@link DatabaseRegistry} registers, each reserved from before its missing file's
 * restore until its registration returns (see {@link EngineLifecycle#attach}): a file is
 * restored once, and a second registration of the same path is refused while the first runs.
 */
final class PathReservations {

	private final Set<Path> registering = ConcurrentHashMap.newKeySet();

	/** The files the reserved paths reach, with those paths: a link and its target are one file. */
	private final Map<Path, Path> files = new ConcurrentHashMap<>();

	private final RegisteredDatabases databases;

	PathReservations(RegisteredDatabases databases) {
		this.databases = databases;
	}

	/**
	 * Reserves a path for one registration until it returns, before anything of it runs: a
	 * missing file's restore (and the leases taken for it) must not run twice, and a second
	 * registration is told it is being registered rather than what the first one's restore holds.
	 * @param path the database file
	 * @return what ends the reservation, once the registration returned
	 * @throws IllegalStateException naming the path and what to do, if it is registered already,
	 * being registered or still being unregistered, or if another path of the same file is
	 */
	Registration begin(Path path) {
		Path normalized = path.toAbsolutePath().normalize();
		if (!this.registering.add(normalized)) {
			throw new IllegalStateException("Database " + normalized + " is being registered (restored from its "
					+ "replicas, its replicas' leases taken or its replicas read); try again once that registration "
					+ "has returned");
		}
		Path file = SqliteFiles.resolved(normalized);
		Path other = this.files.putIfAbsent(file, normalized);
		try {
			if (other != null) {
				throw RegisteredDatabases.sameFile(normalized, file, other);
			}
			this.databases.requireUnregistered(normalized);
			this.databases.requireOwnFile(normalized, file);
		}
		catch (RuntimeException ex) {
			end(normalized, file);
			throw ex;
		}
		return () -> end(normalized, file);
	}

	private void end(Path normalized, Path file) {
		this.files.remove(file, normalized);
		this.registering.remove(normalized);
	}

	/**
	 * The database registered under another path of the file a path reaches (a symbolic link
	 * and its target).
	 * @param path the database file
	 * @return the database, or {@code null} if none is registered there
	 */
	@Nullable ReplicatedDatabase reaching(Path path) {
		return this.databases.reaching(path.toAbsolutePath().normalize());
	}

	/**
	 * Whether a database is being registered at a path (restored, its leases taken, its replicas
	 * read): it is not listed until it opens.
	 * @param path the database file
	 */
	boolean registering(Path path) {
		Path normalized = path.toAbsolutePath().normalize();
		return this.registering.contains(normalized) || this.databases.joining(normalized);
	}

	/** A path reserved by {@link #begin}, until closed. */
	interface Registration extends AutoCloseable {

		@Override
		void close();

	}

}
