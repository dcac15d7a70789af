package io.github.litestream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseFencedException;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.restore.ReplicaChooser;
import io.github.litestream.restore.ReplicaChooser.Candidate;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.RestoreResult;
import io.github.litestream.restore.Restorer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Databases that come and go while the engine runs, such as one database per tenant: a new
 * tenant's database is restored if its file is missing and a replica holds a backup, then
 * replicated; a deleted tenant's replication stops, and its backups are deleted only when
 * asked.
 *
 * <p>Registered databases share the engine's threads ({@link EngineThreads}): a thousand
 * tenants cost a thousand lanes, not a thousand threads, and an idle one costs no request.
 * Registering and unregistering one waits for its own stores only (its leases, its replicas'
 * listings, its last upload): a slow or unreachable store holds up neither other tenants'
 * registrations and removals nor the engine's stop and close.
 */
public final class DatabaseRegistry {

	private static final Logger logger = LoggerFactory.getLogger(DatabaseRegistry.class);

	/**
	 * The default restore of a missing file: from the replica with the newest backup,
	 * continuing its generation; none anywhere is fine (a new database).
	 */
	public static final MissingDatabaseRestore NEWEST_BACKUP = DatabaseRegistry::restoreFromNewestBackup;

	private final Litestream engine;

	private final MissingDatabaseRestore restore;

	/**
	 * Creates a registry over an engine.
	 * @param engine the engine, started or not: databases registered before it starts start
	 * with it
	 */
	public DatabaseRegistry(Litestream engine) {
		this.engine = engine;
		this.restore = NEWEST_BACKUP;
	}

	/**
	 * Creates a registry that restores a missing file its own way (with an application's
	 * restore settings, for example).
	 * @param engine the engine, started or not
	 * @param restore what to do when a registered database's file is missing
	 */
	public DatabaseRegistry(Litestream engine, MissingDatabaseRestore restore) {
		this.engine = engine;
		this.restore = restore;
	}

	/**
	 * Registers a database: if its file is missing, restores it first from the replica with the
	 * most recent backup (a replica without any backup is fine: the application creates a new
	 * database); then replicates it, at once when the engine runs.
	 * @param options the database's options
	 * @param targets its replicas
	 * @return the database
	 * @throws IOException if a replica cannot be read or the restore fails (nothing is then
	 * registered and no file is created), or the database cannot be opened
	 * @throws IllegalStateException if the path is registered already, or another path of the same
	 * file is (a symbolic link and its target: register the file once), or its registration or
	 * unregistration has not returned yet (a second registration of a missing file is refused while
	 * the first one restores it), or the engine stopped while it was being registered
	 */
	public ReplicatedDatabase register(DatabaseOptions options, List<ReplicationTarget> targets) throws IOException {
		return register(options, LeaseOptions.DISABLED, targets);
	}

	/**
	 * Registers a database as {@link #register(DatabaseOptions, List)} does, with its replicas
	 * leased: the leases are taken before the database is opened (before it is restored, if
	 * its file is missing), renewed while it is replicated and released when it is
	 * unregistered. An existing file is compared with a replica before the engine first writes
	 * to it, if another instance held that replica's lease before: a file that instance's
	 * replication left behind is never replicated ({@link Litestream#staleFile}).
	 * @param options the database's options
	 * @param lease whether (and how long) its replicas are leased
	 * @param targets its replicas
	 * @return the database
	 * @throws IOException as {@link #register(DatabaseOptions, List)}, or if a lease is refused
	 */
	public ReplicatedDatabase register(DatabaseOptions options, LeaseOptions lease, List<ReplicationTarget> targets)
			throws IOException {
		// Reserved before a restore: a file is restored once, and never one still being unregistered.
		try (PathReservations.Registration registration = this.engine.lifecycle()
			.reservations()
			.begin(options.path())) {
			return registerReserved(options, lease, targets);
		}
		catch (UncheckedIOException ex) {
			if (ex.getCause() instanceof LeaseFencedException fenced) {
				// Thrown by the hand-over, through the engine: a lease refused, as documented.
				throw fenced;
			}
			throw ex;
		}
	}

	private ReplicatedDatabase registerReserved(DatabaseOptions options, LeaseOptions lease,
			List<ReplicationTarget> targets) throws IOException {
		Path path = options.path().toAbsolutePath().normalize();
		if (Files.exists(path) || targets.isEmpty()) {
			// An existing file is compared with a replica before the first write to it, if another
			// instance held its lease before (see FileCheck).
			return this.engine.lifecycle().attach(options, lease, targets, null, null,
					FileCheck.IF_ANOTHER_HELD_THE_LEASE);
		}
		// A replica the restore found without any generation: retention's first pass lists it no more.
		List<ReplicationTarget> looked = GenerationsLook.watch(targets);
		if (!lease.enabled()) {
			this.restore.restore(path, looked);
			return this.engine.lifecycle().attach(options, lease, targets,
					(database) -> GenerationsLook.tell(looked, this.engine.lifecycle().replicas(database)), null, null);
		}
		// Restored under the leases, which the engine takes over: nobody else may move the
		// generation on between the restore and the engine's continuing it (see AdvanceLeases).
		try (AdvanceLeases leases = new AdvanceLeases(this.engine.leaseHolder(), Clock.systemUTC())) {
			leases.take(targets, lease);
			this.restore.restore(path, looked);
			return this.engine.lifecycle().attach(options, lease, targets, (database) -> {
				GenerationsLook.tell(looked, this.engine.lifecycle().replicas(database));
				try {
					leases.handOver();
				}
				catch (LeaseFencedException ex) {
					// Another instance took a lease after the restore: not to be replicated.
					throw new UncheckedIOException(ex);
				}
			}, null, FileCheck.DONE);
		}
	}

	/**
	 * Registers an existing database file with a running engine, as
	 * {@link #register(DatabaseOptions, LeaseOptions, List)} does, once a check made under its
	 * leases passes: what the replicas hold can change until the leases are taken (the last
	 * holder's final commits), so a decision to keep the file is only safe once they are.
	 * @param options the database's options
	 * @param lease how long its replicas are leased
	 * @param targets its replicas
	 * @param underLease runs once the leases are taken (or are fenced, if the store did not
	 * answer), before the database is opened; if it throws, the leases are released and nothing
	 * is registered
	 * @return the database
	 * @throws IOException as {@link #register(DatabaseOptions, LeaseOptions, List)}, or what the
	 * check threw
	 */
	public ReplicatedDatabase registerChecked(DatabaseOptions options, LeaseOptions lease,
			List<ReplicationTarget> targets, LeasedCheck underLease) throws IOException {
		try (PathReservations.Registration registration = this.engine.lifecycle()
			.reservations()
			.begin(options.path())) {
			// The check under the leases decides on the file: not compared again.
			return this.engine.lifecycle().attach(options, lease, targets, null, underLease, FileCheck.DONE);
		}
	}

	/**
	 * Registers the database a {@link Standby} promoted: the standby renews the lease it took
	 * until the engine is about to take it over, inside the registration, so that waiting for the
	 * engine (another database starting, a stop under way) never leaves the lease unrenewed.
	 * @param options the database's options
	 * @param lease how long its replicas are leased
	 * @param targets its replicas
	 * @param standby the standby that took the followed replica's lease
	 * @return the database
	 * @throws IOException as {@link #register(DatabaseOptions, LeaseOptions, List)}
	 */
	public ReplicatedDatabase registerPromoted(DatabaseOptions options, LeaseOptions lease,
			List<ReplicationTarget> targets, Standby standby) throws IOException {
		// If registered already, the promotion fails; it stops the standby's renewals as it returns.
		try (PathReservations.Registration registration = this.engine.lifecycle()
			.reservations()
			.begin(options.path())) {
			// The standby's follower brought the file to the replica's end under the lease.
			return this.engine.lifecycle().attach(options, lease, targets, (database) -> standby.handOverLease(),
					null, FileCheck.DONE);
		}
	}

	private static void restoreFromNewestBackup(Path path, List<ReplicationTarget> targets) throws IOException {
		List<Candidate<ReplicaClient>> candidates = new ArrayList<>();
		for (ReplicationTarget target : targets) {
			// Choosing, planning and the check that the restore may continue the generation read
			// one listing: each would list the same generations again. The continuation check
			// before the database opens lists afresh.
			ReplicaClient client = new ListedOnce(target.client());
			candidates.add(ReplicaChooser.list(client, client.location(), client, targets.size()));
		}
		List<Candidate<ReplicaClient>> ranked = ReplicaChooser.rank(path, candidates);
		if (ranked.isEmpty()) {
			logger.debug("No backup of {} in its replicas: it starts empty", path);
			return;
		}
		Candidate<ReplicaClient> best = ranked.get(0);
		RestoreOptions options = RestoreOptions.latest(path)
			.withGeneration(best.newestBackup().generation())
			.withConditions(true, true)
			.withContinueGeneration(true);
		RestoreResult result = new Restorer().restore(best.replica(), options);
		if (result.restored()) {
			logger.info("Restored {} from {}", path, best.replica().location());
		}
	}

	/**
	 * Whether the engine holds the lease of every leased replica of a database: one registered
	 * while the store did not answer starts fenced, until the engine's renewals take it.
	 * @param database a registered database, or one being registered (in a {@link LeasedCheck},
	 * before the engine lists it)
	 * @return {@code true} if no replica is fenced
	 */
	public boolean holdsLeases(ReplicatedDatabase database) {
		return this.engine.lifecycle()
			.replicas(database)
			.stream()
			.map(this.engine::lease)
			.flatMap(Optional::stream)
			.noneMatch(LeaseStatus::fenced);
	}

	/**
	 * The registered database at a path.
	 * @param path the database file
	 * @return the database, if registered
	 */
	public Optional<ReplicatedDatabase> find(Path path) {
		return this.engine.database(path);
	}

	/**
	 * The database registered under another path of the file a path reaches: a symbolic link
	 * and its target, a path through a linked directory. Resolves the path's links.
	 * @param path the database file
	 * @return the database, if registered under another path
	 */
	Optional<ReplicatedDatabase> findSameFile(Path path) {
		return Optional.ofNullable(this.engine.lifecycle().reservations().reaching(path));
	}

	/**
	 * The registered databases.
	 * @return every database, in registration order
	 */
	public List<ReplicatedDatabase> databases() {
		return this.engine.databases();
	}

	/**
	 * Stops replicating a database: its last commits are shipped within the timeout, then the
	 * engine's connections to it close. Close the application's own connections to it first
	 * (its pool): the engine then records a clean shutdown, and a later
	 * {@link #register} continues the same generation. The database file stays. A replica upload
	 * still running after the timeout is not waited for: its leases are abandoned (left to expire
	 * rather than released), and if it is a snapshot reading the file, the engine's connections
	 * close once it has ended, without the clean-shutdown record.
	 * @param path the database file
	 * @param timeout how long shipping the last commits (and waiting for uploads) may take
	 * @param backups whether to keep or delete what its replicas hold
	 * @return {@code true} if every replica received every commit before it stopped (or its
	 * backups were deleted as asked)
	 * @throws IOException if deleting backups was asked and failed, or stopped between two
	 * generations because the engine's close stopped waiting for it (the message names what each
	 * replica still holds: whole generations, the newest backup among them); replication is
	 * stopped anyway
	 * @throws IllegalArgumentException if no database is registered at that path
	 * @throws IllegalStateException if its registration has not returned yet
	 */
	public boolean unregister(Path path, Duration timeout, Backups backups) throws IOException {
		ReplicatedDatabase database = find(path).orElseThrow(() -> notReplicated(path));
		List<Replica> replicas = this.engine.replicas(database);
		boolean delete = backups == Backups.DELETE;
		// Deleting: no last upload, but the steps in progress end first, so none writes after the
		// deletion; and while the leases are still held, which the replicas' clients require.
		boolean[] deleted = new boolean[1];
		boolean flushed;
		try {
			flushed = this.engine.lifecycle().detach(database, timeout, !delete, () -> {
				if (delete) {
					BackupDeletion.deleteAll(database.path(), replicas,
							() -> this.engine.lifecycle().removals().givenUp(database));
					deleted[0] = true;
				}
			});
		}
		finally {
			replicas.forEach((replica) -> closeQuietly(replica.client()));
		}
		if (delete && !deleted[0]) {
			throw new IOException("The backups of " + database.path() + " were not deleted: a replica upload was "
					+ "still running when replication stopped (" + timeout + "); delete its replicas' generations "
					+ "once it has ended");
		}
		return delete || flushed;
	}

	private RuntimeException notReplicated(Path path) {
		if (this.engine.lifecycle().reservations().registering(path)) {
			return new IllegalStateException("Database " + path.toAbsolutePath().normalize() + " is being registered "
					+ "(its replicas' leases are taken or its replicas read); unregister it once that registration has "
					+ "returned");
		}
		return new IllegalArgumentException("No database is replicated at " + path);
	}

	/**
	 * Deletes every generation a replica holds of a database, the newest backup last (see
	 * {@link BackupDeletion}).
	 * @param path the database file
	 * @param name the replica's name
	 * @param client the replica
	 * @throws IOException if the replica cannot be listed or a generation deleted
	 */
	static void deleteBackups(Path path, String name, ReplicaClient client) throws IOException {
		BackupDeletion.deleteAll(path, name, client, () -> false);
	}

	private static void closeQuietly(ReplicaClient client) {
		try {
			client.close();
		}
		catch (IOException ex) {
			logger.debug("Could not close replica client {}: {}", client.location(), ex.getMessage());
		}
	}

	/**
	 * What happens to a database's backups when it stops being replicated.
	 */
	public enum Backups {

		/** Its replicas keep every generation, for a later restore. */
		KEEP,

		/** Every generation in its replicas is deleted. */
		DELETE

	}

	/**
	 * A check of a database made while its leases are held, before it is opened.
	 */
	@FunctionalInterface
	public interface LeasedCheck {

		/**
		 * Checks the database. It is not listed yet ({@link Litestream#databases()} and
		 * {@link Litestream#replicas} do not show it until it opens): ask
		 * {@link DatabaseRegistry#holdsLeases} about its leases.
		 * @param database the database, registered with its leases taken but not open
		 * @throws IOException to refuse it: it is then not registered
		 */
		void check(ReplicatedDatabase database) throws IOException;

	}

	/**
	 * Restores a registered database whose file is missing, before it is opened.
	 */
	@FunctionalInterface
	public interface MissingDatabaseRestore {

		/**
		 * Restores the file, or leaves it missing for a new, empty database.
		 * @param path the missing database file
		 * @param targets its replicas
		 * @throws IOException if a replica cannot be read or the restore fails (the database is
		 * then not registered)
		 */
		void restore(Path path, List<ReplicationTarget> targets) throws IOException;

	}

}
