package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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

	/** The replication of each {@code dir} entry, once registered (a stop during a start reads it). */
	private volatile Map<DirectorySettings, DirectoryReplication> directories = Map.of();

	/** Guards the three flags below: their changes only, never a call to the engine. */
	private final Object state = new Object();

	private volatile boolean running;

	/** Whether {@link #start()} runs: a {@link #stop()} meanwhile stops the engine it starts. */
	private volatile boolean starting;

	/** Set by a {@link #stop()} during a {@link #start()}: the start then ends stopped. */
	private boolean stopRequested;

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
		synchronized (this.state) {
			if (this.running || this.starting) {
				return;
			}
			this.starting = true;
			this.stopRequested = false;
		}
		boolean started = false;
		try {
			startReplication();
			started = true;
		}
		catch (RuntimeException ex) {
			if (!stopRequested()) {
				throw ex;
			}
			// The engine's start was given up by that stop (or failed meanwhile): stopped, as asked.
			logger.info("Litestream stopped while it started: the context was stopped meanwhile ({})", ex.getMessage());
		}
		finally {
			endStart(started);
		}
	}

	private void startReplication() {
		// A context can be stopped and started again: the databases are registered once.
		boolean first = !this.registered;
		if (first) {
			register();
			this.registered = true;
		}
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
		}
		catch (LeaseException ex) {
			throw new LitestreamLeaseException(
					this.replicaProperties.getOrDefault(ex.replica() + " " + ex.location(), "litestream.dbs[?]"), ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Litestream could not open the databases to replicate", ex);
		}
	}

	/**
	 * Ends a start: it runs from now on, unless it failed or a stop arrived meanwhile. A stop
	 * gives the engine's start up; one that arrived before the engine's start began, or after it
	 * returned, did not, and the engine is stopped here.
	 */
	private void endStart(boolean started) {
		boolean stopped;
		synchronized (this.state) {
			this.starting = false;
			stopped = this.stopRequested;
			this.running = started && !stopped;
		}
		if (!this.running) {
			// stop() will not run (again): the scanners and standbys started so far must not outlive
			// the start (a standby could take a lease and promote onto a closed engine).
			this.directories.values().forEach(DirectoryReplication::close);
			this.standbys.all().forEach(StandbyDatabase::close);
		}
		if (started && stopped) {
			stopEngine();
		}
	}

	private boolean stopRequested() {
		synchronized (this.state) {
			return this.stopRequested;
		}
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
		Map<DirectorySettings, DirectoryReplication> directories = new LinkedHashMap<>();
		for (DatabaseSettings entry : this.databases.directories()) {
			DirectorySettings directory = entry.directory();
			DatabaseOptions template = entry.withPath(directory.dir().resolve("*")).options(this.properties.getBusyTimeout());
			directories.put(directory, new DirectoryReplication(this.registry, directory.dir(), directory.pattern(),
					directory.recursive(), template, (relative) -> targets(entry.inDirectory(relative))));
		}
		this.directories = Collections.unmodifiableMap(directories);
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

	/**
	 * Stops replication, and a start under way (a context stopped while it starts, on another
	 * thread): the engine's start is given up at once, and it ends stopped.
	 */
	@Override
	public void stop() {
		synchronized (this.state) {
			if (!this.running && !this.starting) {
				return;
			}
			this.running = false;
			this.stopRequested = true;
		}
		// No new database while the others are flushed, and no standby takes over.
		this.directories.values().forEach(DirectoryReplication::close);
		this.standbys.all().forEach(StandbyDatabase::close);
		stopEngine();
	}

	private void stopEngine() {
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

	/**
	 * Whether replication runs, or is starting: so that a stop of the context meanwhile reaches
	 * {@link #stop()}.
	 */
	@Override
	public boolean isRunning() {
		return this.running || this.starting;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
