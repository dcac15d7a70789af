package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.litestream.DivergedFile;
import io.github.litestream.FileCheck;
import io.github.litestream.db.FollowerCopyMark;
import io.github.litestream.restore.EmptyDatabaseFile;
import io.github.litestream.restore.LeftoverRestoreFiles;
import io.github.litestream.restore.NewestBackup;
import io.github.litestream.restore.ReplicaChooser;
import io.github.litestream.restore.ReplicaChooser.Candidate;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore-on-boot: when a configured database file is missing, restores it from the replica
 * whose newest backup is the most recent ({@link ReplicaChooser}; equally recent replicas in
 * configuration order). It never touches an existing file, except an empty one (0 bytes, see
 * {@link EmptyDatabaseFile}) and a leased database's file that another instance's replication
 * left behind, which it moves aside (see
 * {@link #restoreIfMissing(DatabaseSettings, RestoreLeasing)}). A replica that can't be read fails
 * startup rather than being skipped: falling back to an older replica, or to an empty
 * database, could silently lose data. With {@code restore.fall-back}, a replica whose backup
 * is damaged is passed over for the next most recent one; only when no replica holds an
 * intact backup does the most recent damaged one restore its newest intact earlier point.
 */
final class DatabaseRestorer {

	private static final Logger logger = LoggerFactory.getLogger(DatabaseRestorer.class);

	private final ReplicaClientFactory clients;

	private final Set<Path> attempted = ConcurrentHashMap.newKeySet();

	/** The existing files that could not be compared with their replicas, and when the engine compares them. */
	private final Map<Path, FileCheck> uncompared = new ConcurrentHashMap<>();

	DatabaseRestorer(ReplicaClientFactory clients) {
		this.clients = clients;
	}

	/**
	 * Restores a database if its file is missing and restore is enabled.
	 * @param database the database, with its path known
	 * @return whether a backup was restored
	 * @throws LitestreamRestoreException if a replica can't be read or holds a damaged backup
	 * @throws LitestreamConfigurationException if none holds a backup and
	 * {@code restore.if-replica-exists} is false
	 */
	boolean restoreIfMissing(DatabaseSettings database) {
		return restoreIfMissing(database, RestoreLeasing.NONE);
	}

	/**
	 * Restores a database if its file is missing and restore is enabled, as
	 * {@link #restoreIfMissing(DatabaseSettings)} does, after a step that takes its leases.
	 * <p>A leased database whose file exists has its leases taken too: if another instance held
	 * one before, and the file is behind the replica's newest backup ({@link DivergedFile}), the
	 * file is set aside and restored (or, without restore, startup fails), before anything opens
	 * it.
	 * @param database the database, with its path known
	 * @param leases taken first, when the replicas are about to be read (whether another instance
	 * held one before is returned); if taking them throws, nothing is restored. The replicas are
	 * read through the clients the leases are kept through
	 * @return whether a backup was restored
	 */
	boolean restoreIfMissing(DatabaseSettings database, RestoreLeasing leases) {
		// Entries with a path are tried by the restore step and again when their DataSource
		// appears: once is enough.
		if (!this.attempted.add(database.path())) {
			return false;
		}
		if (!database.restore() && !database.standby() && Files.notExists(database.path())) {
			warnIfBackupLeftBehind(database);
		}
		if (database.restore() && !database.standby() && !database.replicas().isEmpty()) {
			removeIfEmpty(database);
		}
		return restoreMissing(database, database.restoreIfReplicaExists(), leases);
	}

	/** Nothing has the file open yet at boot (a tenant's, restored later, may be open: not there). */
	private static void removeIfEmpty(DatabaseSettings database) {
		try {
			EmptyDatabaseFile.removeIfEmpty(database.path());
		}
		catch (IOException ex) {
			throw new LitestreamConfigurationException(database.property() + ".path",
					"the empty file " + database.path() + " can't be removed to restore the database in its place",
					"Remove the empty file, or give the application write access to its directory.", ex);
		}
	}

	/**
	 * With restore-on-boot off, a missing file starts as an empty database whose new generation
	 * restores prefer from then on, and retention eventually deletes the backup it leaves behind:
	 * a deploy on an empty disk that forgot to restore should not go unnoticed.
	 */
	private void warnIfBackupLeftBehind(DatabaseSettings database) {
		RestoreOptions options = restoreOptions(database);
		for (ReplicaSettings replica : database.replicas()) {
			try {
				NewestBackup backup = withClient(database, replica, options,
						(client) -> ReplicaChooser.list(replica, replica.name(), client, 1))
					.newestBackup();
				if (backup != null) {
					logger.warn("{} is missing and {}.restore.enabled is false, so it starts empty, although replica "
							+ "'{}' holds a backup of it, at {}; the new generation is what restores choose from now on. "
							+ "Set {}.restore.enabled=true to start from the backup", database.path(),
							database.property(), replica.name(), backup, database.property());
					return;
				}
			}
			catch (LitestreamRestoreException ex) {
				logger.debug("Could not look for a backup of {} in replica '{}'", database.path(), replica.name(), ex);
			}
		}
	}

	/**
	 * When the engine compares a leased database's existing file with its replicas, if
	 * restore-on-boot could not: a store that did not answer is no reason to stop the
	 * application, but the file must not be replicated before it is compared (see
	 * {@link FileCheck}).
	 * @param path the database file
	 * @return when the engine compares it; empty if it was compared here, or had nothing to
	 * compare
	 */
	Optional<FileCheck> fileCheck(Path path) {
		return Optional.ofNullable(this.uncompared.get(path));
	}

	/**
	 * Restores a database registered while the application runs (a tenant's), each time its
	 * file is missing: with the entry's restore settings, except that no backup is fine (it is a
	 * new database). The replicas are read through the engine's clients, which replicate it next:
	 * one client per replica, and the engine sees what the restore listed.
	 * @param database the database, with its path known
	 * @param engine the clients the engine replicates it through
	 * @return whether a backup was restored
	 * @throws LitestreamRestoreException if a replica can't be read or holds a damaged backup
	 */
	boolean restoreOnDemand(DatabaseSettings database, RestoreClients.Lent engine) {
		try (RestoreClients clients = new RestoreClients(this.clients, engine)) {
			return restoreMissing(database, true, RestoreLeasing.NONE, clients);
		}
	}

	private boolean restoreMissing(DatabaseSettings database, boolean emptyIsFine,
			RestoreLeasing leases) {
		// One client per replica for the whole decision, each listing its replica once: the lease's, if
		// one is kept.
		try (RestoreClients clients = new RestoreClients(this.clients, leases)) {
			return restoreMissing(database, emptyIsFine, leases, clients);
		}
	}

	private boolean restoreMissing(DatabaseSettings database, boolean emptyIsFine,
			RestoreLeasing leases, RestoreClients clients) {
		Path path = database.path();
		if (database.standby() || database.replicas().isEmpty()) {
			// A standby's follower restores its file.
			return false;
		}
		if (Files.exists(path) && !(database.restore() && followerCopy(path))) {
			if (database.restore()) {
				// A restore killed before it finished leaves files as large as the database.
				LeftoverRestoreFiles.remove(path);
			}
			if (!database.lease().enabled() || !setAsideIfDiverged(database, leases, clients)) {
				return false;
			}
		}
		else if (!database.restore()) {
			return false;
		}
		else {
			leases.take(database);
		}
		RestoreOptions options = restoreOptions(database);
		List<Candidate<ReplicaSettings>> ranked = ReplicaChooser.rank(path, newestBackups(database, options, clients));
		List<Candidate<ReplicaSettings>> damaged = new ArrayList<>();
		for (Candidate<ReplicaSettings> candidate : ranked) {
			ReplicaSettings replica = candidate.replica();
			try {
				if (restore(database, replica, fromChosenGeneration(options, candidate), clients)) {
					logger.info("Restored {} from replica '{}'", path, replica.name());
					return true;
				}
			}
			catch (LitestreamRestoreException ex) {
				if (!database.restoreFallBack() || !ex.isDamage()) {
					throw ex;
				}
				logger.warn("Replica '{}' of {} holds a damaged backup ({}); trying the next most recent replica",
						replica.name(), path, ex.getCause().getMessage());
				damaged.add(candidate);
			}
		}
		for (Candidate<ReplicaSettings> candidate : damaged) {
			ReplicaSettings replica = candidate.replica();
			if (restore(database, replica, fromChosenGeneration(options, candidate).withFallBack(true), clients)) {
				logger.warn("Restored {} from replica '{}' up to the newest intact point before its damage", path,
						replica.name());
				return true;
			}
		}
		if (!emptyIsFine) {
			throw new LitestreamConfigurationException(database.property() + ".restore.if-replica-exists",
					"the database " + path + " is missing and none of its replicas holds a backup",
					"Set " + database.property() + ".restore.if-replica-exists to true to start with an empty "
							+ "database, or check the replica locations.");
		}
		logger.info("No backup of {} found in its replicas; starting with an empty database", path);
		return false;
	}

	private static RestoreOptions restoreOptions(DatabaseSettings database) {
		return RestoreOptions.latest(database.path())
			.withParallelism(database.restoreParallelism())
			.withConditions(true, true)
			// On an ephemeral disk every deploy restores: continuing the generation spares the
			// replica a new generation and a full snapshot upload each time.
			.withContinueGeneration(true);
	}

	/**
	 * Takes the leases of a database whose file exists and, if another instance held one
	 * before, sets the file aside when it is behind the replica's newest backup: replicated as
	 * it is, it would start a generation that restores prefer, and that instance's commits would
	 * be lost. A store that does not answer does not stop the application over a file it has
	 * (replication never does): the engine then compares the file before its first write to a
	 * replica ({@link #fileCheck}), and never replicates it if it is stale.
	 * @return whether it was set aside (it is to be restored)
	 * @throws LitestreamConfigurationException if it is stale and restore is disabled
	 */
	private boolean setAsideIfDiverged(DatabaseSettings database, RestoreLeasing leases,
			RestoreClients clients) {
		Path path = database.path();
		Candidate<ReplicaSettings> newest;
		String[] location = new String[1];
		Optional<String> stale;
		try {
			if (!leases.take(database)) {
				return false;
			}
			RestoreOptions options = restoreOptions(database);
			List<Candidate<ReplicaSettings>> ranked = ReplicaChooser.rank(path, newestBackups(database, options, clients));
			if (ranked.isEmpty()) {
				return false;
			}
			newest = ranked.get(0);
			stale = clients.call(database, newest.replica(), options, (client) -> {
				location[0] = client.location();
				return DivergedFile.staleness(path, client, newest.newestBackup());
			});
		}
		catch (LitestreamRestoreException ex) {
			// Before the first write to every replica, whoever holds its lease by then: a lease taken
			// here (another instance may have held it) is handed over as the engine's own.
			this.uncompared.put(path, FileCheck.BEFORE_FIRST_WRITE);
			logger.warn("{} could not be compared with replica '{}' ({}): {}; the application starts on it, and "
					+ "replication compares it before its first write to a replica, once the store answers: a stale "
					+ "file is never replicated", path, ex.getReplicaName(), ex.getReplicaLocation(),
					ex.getCause().getMessage());
			return false;
		}
		if (stale.isEmpty()) {
			return false;
		}
		NewestBackup backup = newest.newestBackup();
		String problem = path + " is stale: another instance held the lease of replica '" + newest.name() + "' ("
				+ location[0] + ") since it was last replicated, and it is behind the replica's newest backup ("
				+ backup + "): " + stale.get();
		if (!database.restore()) {
			throw new LitestreamConfigurationException(database.property() + ".restore.enabled",
					problem + ". Replicating it would leave that instance's commits behind",
					"Set " + database.property() + ".restore.enabled to true, so that the file is set aside and "
							+ "the replica's newest state restored at startup; or move " + path + " (with its -wal "
							+ "and -shm files and its ." + path.getFileName() + "-litestream directory) aside "
							+ "yourself before starting this instance.");
		}
		try {
			Path aside = DivergedFile.setAside(path, Instant.now());
			logger.warn("{}; it is moved aside to {} (with its -wal, -shm and local state), never deleted, as it may "
					+ "hold commits that never reached the replica, and {} is restored from replica '{}', generation {}",
					problem, aside, path, newest.name(), backup.generation());
			return true;
		}
		catch (IOException ex) {
			throw new LitestreamConfigurationException(database.property() + ".path",
					problem + "; it could not be moved aside (" + ex.getMessage() + ")",
					"Give the application write access to " + path.getParent() + ", or move " + path
							+ " aside yourself before starting this instance.", ex);
		}
	}

	/**
	 * Whether the file is a follower's copy that was not handed over, which may be torn: the
	 * restore sets it aside and restores in its place.
	 */
	private static boolean followerCopy(Path file) {
		try {
			return FollowerCopyMark.writer(file).isPresent();
		}
		catch (IOException ex) {
			// Unreadable mark: the engine's own check refuses the file with the reason.
			return false;
		}
	}

	/**
	 * Lists every replica once, in configuration order, to find its newest backup.
	 */
	private List<Candidate<ReplicaSettings>> newestBackups(DatabaseSettings database, RestoreOptions options,
			RestoreClients clients) {
		List<Candidate<ReplicaSettings>> candidates = new ArrayList<>();
		for (ReplicaSettings replica : database.replicas()) {
			candidates.add(clients.call(database, replica, options,
					(client) -> ReplicaChooser.list(replica, replica.name(), client, database.replicas().size())));
		}
		return candidates;
	}

	/**
	 * Restores the generation that was compared, so the restore reads what the log named
	 * (and lists that generation only).
	 */
	private static RestoreOptions fromChosenGeneration(RestoreOptions options, Candidate<ReplicaSettings> candidate) {
		return options.withGeneration(candidate.newestBackup().generation());
	}

	private static boolean restore(DatabaseSettings database, ReplicaSettings replica, RestoreOptions options,
			RestoreClients clients) {
		return clients.call(database, replica, options, (client) -> new Restorer().restore(client, options).restored());
	}

	/** Runs one call with a client of its own. */
	private <T> T withClient(DatabaseSettings database, ReplicaSettings replica, RestoreOptions options,
			RestoreClients.ClientCall<T> call) {
		try (RestoreClients clients = new RestoreClients(this.clients)) {
			return clients.call(database, replica, options, call);
		}
	}

}
