package io.github.litestream;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.Replica;
import io.github.litestream.sqlite.SqliteFiles;
import org.jspecify.annotations.Nullable;

/**
 * The databases an engine replicates and their replicas, in registration order. Held as an
 * immutable map that every change replaces, so that readers (endpoints, metrics listeners on
 * the monitor's thread) never take the engine's lock, which start and stop hold while they wait
 * for the monitors. Changes are made under the engine's lock, but for the {@link #release} of a
 * database that was {@link #withdraw withdrawn}, which ends an unregistration outside it, and
 * the {@link #remove} of one {@link #reserve reserved} whose registration failed.
 *
 * <p>A database registered while the engine runs is {@link #reserve reserved} first: its path
 * and replica locations are taken, but it is not listed (start, stop, close and the readers do
 * not see it) while its registration takes its leases and reads its replicas outside the
 * engine's lock; it is {@link #list listed} once that is done, or removed.
 */
final class RegisteredDatabases {

	private volatile Map<ReplicatedDatabase, List<Replica>> databases = Map.of();

	/**
	 * The databases by path, and the replica locations in use with the path of the database
	 * each holds: lookups that would otherwise go through every database, which made
	 * registering N databases (and a directory's scan of N tenants) take time in N squared.
	 */
	private final Map<Path, ReplicatedDatabase> byPath = new ConcurrentHashMap<>();

	private final Map<String, Path> locations = new ConcurrentHashMap<>();

	/**
	 * The file each taken path reaches ({@link SqliteFiles#resolved}, resolved once when it is
	 * reserved), with that path: a symbolic link and its target are two paths of one file, which
	 * two engines would copy, checkpoint and ship as two databases.
	 */
	private final Map<Path, Path> files = new ConcurrentHashMap<>();

	private final Map<Path, Path> fileOf = new ConcurrentHashMap<>();

	/**
	 * The databases being unregistered: no longer listed, while their last flush or the deletion
	 * of their backups runs outside the engine's lock; their path and replica locations stay
	 * taken until it ends.
	 */
	private final Map<Path, ReplicatedDatabase> leaving = new ConcurrentHashMap<>();

	private final Map<ReplicatedDatabase, List<Replica>> withdrawn = new ConcurrentHashMap<>();

	/** The databases being registered: reserved, not listed yet (see {@link #reserve}). */
	private final Map<Path, ReplicatedDatabase> joining = new ConcurrentHashMap<>();

	private final Map<ReplicatedDatabase, List<Replica>> reserved = new ConcurrentHashMap<>();

	private final Clock clock;

	private final LeaseKeeper leases;

	private final LeaseHolder holder;

	RegisteredDatabases(Clock clock, LeaseKeeper leases, LeaseHolder holder) {
		this.clock = clock;
		this.leases = leases;
		this.holder = holder;
	}

	/**
	 * Registers a database and creates its replicas; with a lease, each replica's client asks its
	 * lease before every write.
	 * @throws IllegalStateException if a database with the same path is registered
	 */
	ReplicatedDatabase add(DatabaseOptions options, LeaseOptions lease, List<ReplicationTarget> targets) {
		ReplicatedDatabase database = reserve(options, lease, targets);
		list(database);
		return database;
	}

	/**
	 * Creates a database and its replicas and takes its path and replica locations, without
	 * listing it (see {@link #list}): its leases, if any, are left to its registration.
	 * @throws IllegalStateException if the path or a replica location is taken
	 */
	ReplicatedDatabase reserve(DatabaseOptions options, LeaseOptions lease, List<ReplicationTarget> targets) {
		Path path = options.path().toAbsolutePath().normalize();
		requireUnregistered(path);
		Path file = SqliteFiles.resolved(path);
		requireOwnFile(path, file);
		requireOwnLocations(path, targets);
		ReplicatedDatabase database = new ReplicatedDatabase(options, this.clock);
		List<Replica> replicas = new ArrayList<>();
		for (ReplicationTarget target : targets) {
			replicas.add(lease.enabled() ? this.leases.leased(database, target, lease, this.holder, this.clock)
					: new Replica(database, target.client(), target.options(), this.clock));
		}
		this.reserved.put(database, List.copyOf(replicas));
		this.joining.put(database.path(), database);
		this.files.put(file, database.path());
		this.fileOf.put(database.path(), file);
		replicas.forEach((replica) -> this.locations.put(replica.client().location(), database.path()));
		return database;
	}

	/** Lists a database {@link #reserve reserved}: from now on start, stop, close and readers see it. */
	void list(ReplicatedDatabase database) {
		Map<ReplicatedDatabase, List<Replica>> registered = new LinkedHashMap<>(this.databases);
		registered.put(database, this.reserved.remove(database));
		this.databases = Collections.unmodifiableMap(registered);
		this.byPath.put(database.path(), database);
		this.joining.remove(database.path(), database);
	}

	/** A {@link #reserve reserved} database's replicas, until it is listed or removed. */
	@Nullable List<Replica> reserved(ReplicatedDatabase database) {
		return this.reserved.get(database);
	}

	/**
	 * A replica's location holds one database's generations: two databases there would delete
	 * each other's generations (retention) and, leased, would both take the same lease (one
	 * engine's instances share a holder).
	 */
	private void requireOwnLocations(Path path, List<ReplicationTarget> targets) {
		Map<String, Path> used = new HashMap<>();
		for (ReplicationTarget target : targets) {
			String location = target.client().location();
			Path other = this.locations.containsKey(location) ? this.locations.get(location)
					: used.putIfAbsent(location, path);
			if (other != null) {
				throw new IllegalStateException("Replica '" + target.options().name() + "' of " + path + " is at "
						+ location + ", which is already a replica of " + other
						+ "; give each database a replica path of its own");
			}
		}
	}

	/**
	 * Refuses a path that reaches the file of another path taken (registered, being registered or
	 * unregistered), through a symbolic link.
	 * @param path an absolute, normalized path
	 * @param file the file it reaches ({@link SqliteFiles#resolved})
	 * @throws IllegalStateException naming both paths and what to do
	 */
	void requireOwnFile(Path path, Path file) {
		Path other = this.files.get(file);
		if (other != null && !other.equals(path)) {
			throw sameFile(path, file, other);
		}
	}

	static IllegalStateException sameFile(Path path, Path file, Path other) {
		return new IllegalStateException("Database " + path + " is the file " + file + ", which is already "
				+ "replicated as " + other + " (one of them is a symbolic link, or goes through one): two "
				+ "registrations would copy and checkpoint one WAL and ship it as two databases; register the file "
				+ "once, under one of its paths");
	}

	/**
	 * The database registered under another path of the file a path reaches.
	 * @param path an absolute, normalized path
	 * @return the database, or {@code null} if that file is not listed
	 */
	@Nullable ReplicatedDatabase reaching(Path path) {
		Path other = this.files.get(SqliteFiles.resolved(path));
		return (other != null) ? this.byPath.get(other) : null;
	}

	/**
	 * Refuses a path that is registered, or whose unregistration is still under way.
	 * @param path an absolute, normalized path
	 * @throws IllegalStateException naming the path and what to do
	 */
	void requireUnregistered(Path path) {
		if (this.byPath.containsKey(path)) {
			throw new IllegalStateException("Database " + path + " is already replicated; unregister it first");
		}
		if (this.joining.containsKey(path)) {
			throw new IllegalStateException("Database " + path + " is being registered (its replicas' leases are "
					+ "taken or its replicas read); try again once that registration has returned");
		}
		if (this.leaving.containsKey(path)) {
			throw new IllegalStateException("Database " + path + " is still being unregistered (its last commits "
					+ "are shipped or its backups deleted); register it again once that unregistration has returned");
		}
	}

	/**
	 * Whether a database is being registered at a path: reserved, not listed yet.
	 * @param path an absolute, normalized path
	 */
	boolean joining(Path path) {
		return this.joining.containsKey(path);
	}

	/** Unregisters a database at once (one that could not be opened), listed or only reserved. */
	void remove(ReplicatedDatabase database) {
		List<Replica> replicas = this.reserved.remove(database);
		if (replicas != null) {
			replicas.forEach((replica) -> this.locations.remove(replica.client().location(), database.path()));
			this.joining.remove(database.path(), database);
			freeFile(database.path());
		}
		else if (withdraw(database)) {
			release(database);
		}
	}

	/**
	 * Takes a database out of the list, keeping its path and replica locations taken until
	 * {@link #release}: it may still write to its replicas.
	 * @return whether it was registered
	 */
	boolean withdraw(ReplicatedDatabase database) {
		if (!this.databases.containsKey(database)) {
			return false;
		}
		this.leaving.put(database.path(), database);
		this.byPath.remove(database.path(), database);
		Map<ReplicatedDatabase, List<Replica>> registered = new LinkedHashMap<>(this.databases);
		this.withdrawn.put(database, registered.remove(database));
		this.databases = Collections.unmodifiableMap(registered);
		return true;
	}

	/** Frees the path and replica locations of a database {@link #withdraw withdrawn}. */
	void release(ReplicatedDatabase database) {
		List<Replica> replicas = this.withdrawn.remove(database);
		if (replicas != null) {
			replicas.forEach((replica) -> this.locations.remove(replica.client().location(), database.path()));
			this.leaving.remove(database.path(), database);
			freeFile(database.path());
		}
	}

	private void freeFile(Path path) {
		Path file = this.fileOf.remove(path);
		if (file != null) {
			this.files.remove(file, path);
		}
	}

	/**
	 * The database registered at a path; safe to call from any thread.
	 * @param path an absolute, normalized path
	 * @return the database, or {@code null}
	 */
	@Nullable ReplicatedDatabase at(Path path) {
		return this.byPath.get(path);
	}

	/**
	 * A database's replicas, while it is registered or being unregistered: its replicas still
	 * ship its last commits then, and release its shadow WAL as they do.
	 */
	@Nullable List<Replica> replicasOf(ReplicatedDatabase database) {
		List<Replica> replicas = this.databases.get(database);
		return (replicas != null) ? replicas : this.withdrawn.get(database);
	}

	/** The databases and their replicas as registered now; later changes do not show in it. */
	Map<ReplicatedDatabase, List<Replica>> current() {
		return this.databases;
	}

}
