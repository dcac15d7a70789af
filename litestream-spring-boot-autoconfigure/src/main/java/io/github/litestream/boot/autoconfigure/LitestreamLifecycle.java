package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.github.litestream.DatabaseRegistry;
import io.github.litestream.DirectoryReplication;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseException;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Starts replication once the context has refreshed (so after restore-on-boot and schema
 * migrations) and, on shutdown, stops it before the DataSource closes: the engine ships all
 * outstanding WAL to every replica first, bounded by {@code litestream.shutdown-timeout}.
 *
 * <p>Its phase is below the web server's graceful-shutdown and stop phases, so on shutdown
 * the server stops taking requests first and the last requests' writes are still flushed; on
 * startup replication runs before the server accepts traffic. Lifecycle stop runs before any
 * singleton is destroyed, so the pool is still open during the final flush.
 */
public final class LitestreamLifecycle implements SmartLifecycle {

	/** The phase: started before, and stopped after, the web server. */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Logger logger = LoggerFactory.getLogger(LitestreamLifecycle.class);

	private final Litestream litestream;

	private final LitestreamDatabases databases;

	private final ReplicaClientFactory clients;

	private final LitestreamProperties properties;

	private final ReplicaOperationListenerFactory listeners;

	private final LitestreamStandbys standbys;

	private final LitestreamRestoreInitializer restore;

	private final DatabaseRegistry registry;

	/** Restores the databases registered while the application runs, with their entries' settings. */
	private final DatabaseRestorer restorer;

	private boolean registered;

	/** The replication of each {@code dir} entry, once registered. */
	private final Map<DirectorySettings, DirectoryReplication> directories = new LinkedHashMap<>();

	private volatile boolean running;

	/** The {@code dbs} entry of each replica, by its name and location, for lease failures. */
	private final Map<String, String> replicaProperties = new ConcurrentHashMap<>();

	LitestreamLifecycle(Litestream litestream, LitestreamDatabases databases, ReplicaClientFactory clients,
			LitestreamProperties properties, ReplicaOperationListenerFactory listeners, LitestreamStandbys standbys,
			LitestreamRestoreInitializer restore) {
		this.litestream = litestream;
		this.databases = databases;
		this.clients = clients;
		this.properties = properties;
		this.listeners = listeners;
		this.standbys = standbys;
		this.restore = restore;
		this.restorer = new DatabaseRestorer(clients);
		this.registry = new DatabaseRegistry(litestream, this::restoreOnDemand);
	}

	@Override
	public void start() {
		if (this.running) {
			return;
		}
		// A context can be stopped and started again: the databases are registered once.
		boolean first = !this.registered;
		if (first) {
			register();
			this.registered = true;
		}
		boolean started = false;
		try {
			// The engine takes over the leases the restores were made under.
			this.restore.handOverLeases();
			this.litestream.start();
			for (DirectoryReplication directory : this.directories.values()) {
				directory.start();
			}
			if (first) {
				startStandbys();
			}
			started = true;
		}
		catch (LeaseException ex) {
			throw new LitestreamLeaseException(
					this.replicaProperties.getOrDefault(ex.replica() + " " + ex.location(), "litestream.dbs[?]"), ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Litestream could not open the databases to replicate", ex);
		}
		finally {
			if (!started) {
				// stop() will not run: the scanners and standbys started so far must not outlive
				// the failed start (a standby could take a lease and promote onto a closed engine).
				this.directories.values().forEach(DirectoryReplication::close);
				this.standbys.all().forEach(StandbyDatabase::close);
			}
		}
		this.running = true;
	}

	private void register() {
		for (DatabaseSettings database : this.databases.databases()) {
			if (database.standby()) {
				continue;
			}
			ReplicatedDatabase replicated = this.litestream.addDatabase(
					database.options(this.properties.getBusyTimeout()), database.lease(), targets(database));
			// A file restore-on-boot could not compare with its replicas is compared before the first write.
			this.restore.fileCheck(database.path()).ifPresent((check) -> this.litestream.checkFile(replicated, check));
		}
		for (DatabaseSettings entry : this.databases.directories()) {
			DirectorySettings directory = entry.directory();
			DatabaseOptions template = entry.withPath(directory.dir().resolve("*")).options(this.properties.getBusyTimeout());
			this.directories.put(directory, new DirectoryReplication(this.registry, directory.dir(), directory.pattern(),
					directory.recursive(), template, (relative) -> targets(entry.inDirectory(relative))));
		}
	}

	/**
	 * Standbys start once the engine runs: a standby whose lease is free takes over at once, and
	 * the others are registered with the running engine when they take over.
	 */
	private void startStandbys() throws IOException {
		for (DatabaseSettings database : this.databases.databases()) {
			if (database.standby()) {
				this.standbys.of(database)
					.start(this.registry, this.litestream.leaseHolder(),
							database.options(this.properties.getBusyTimeout()), database.lease(), targets(database),
							this.standbys::promoted);
			}
		}
	}

	/**
	 * Restores a database registered while the engine runs, with its entry's settings, through
	 * the clients the engine replicates it through (made by {@link #targets}, in the order of its
	 * replicas): a second client per replica would connect and list the replica again.
	 */
	private void restoreOnDemand(Path path, List<ReplicationTarget> targets) throws IOException {
		Path file = path.toAbsolutePath().normalize();
		List<ReplicaClient> clients = targets.stream().map(ReplicationTarget::client).toList();
		for (DatabaseSettings database : this.databases.databases()) {
			if (file.equals(database.path())) {
				this.restorer.restoreOnDemand(database, RestoreClients.Lent.byPosition(database, clients));
				return;
			}
		}
		for (DatabaseSettings entry : this.databases.directories()) {
			DirectorySettings directory = entry.directory();
			if (directory.holds(file)) {
				DatabaseSettings tenant = entry.inDirectory(directory.relative(file));
				this.restorer.restoreOnDemand(tenant, RestoreClients.Lent.byPosition(tenant, clients));
				return;
			}
		}
		DatabaseRegistry.NEWEST_BACKUP.restore(path, targets);
	}

	private List<ReplicationTarget> targets(DatabaseSettings database) {
		List<ReplicationTarget> targets = new ArrayList<>();
		for (ReplicaSettings replica : database.replicas()) {
			ReplicaOperationListener listener = this.listeners.listenerFor(database.path(), replica.options().name());
			ReplicaClient client = this.clients.create(replica, listener);
			this.replicaProperties.put(replica.options().name() + " " + client.location(), database.property());
			targets.add(new ReplicationTarget(client, replica.options()));
		}
		return targets;
	}

	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		// No new database while the others are flushed, and no standby takes over.
		this.directories.values().forEach(DirectoryReplication::close);
		this.standbys.all().forEach(StandbyDatabase::close);
		Duration timeout = this.properties.getShutdownTimeout();
		if (!this.litestream.stop(timeout)) {
			logger.warn("Litestream could not ship all WAL changes to every replica within {} "
					+ "(litestream.shutdown-timeout); the latest transactions may be missing from a replica", timeout);
		}
	}

	/**
	 * The replication of the {@code dir} entry that holds a database file.
	 * @param file a canonical database file
	 * @return the directory's replication, empty if no entry holds the file or replication has
	 * not started
	 */
	Optional<DirectoryReplication> directoryOf(Path file) {
		return this.directories.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().holds(file))
			.map(Map.Entry::getValue)
			.findFirst();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
