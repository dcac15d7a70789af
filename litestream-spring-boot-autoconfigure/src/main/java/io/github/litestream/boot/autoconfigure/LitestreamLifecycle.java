package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
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

	private volatile boolean running;

	/** The {@code dbs} entry of each replica, by its name and location, for lease failures. */
	private final Map<String, String> replicaProperties = new HashMap<>();

	LitestreamLifecycle(Litestream litestream, LitestreamDatabases databases, ReplicaClientFactory clients,
			LitestreamProperties properties, ReplicaOperationListenerFactory listeners) {
		this.litestream = litestream;
		this.databases = databases;
		this.clients = clients;
		this.properties = properties;
		this.listeners = listeners;
	}

	@Override
	public void start() {
		if (this.running) {
			return;
		}
		// A context can be stopped and started again: the databases are registered once.
		if (this.litestream.databases().isEmpty()) {
			register();
		}
		try {
			this.litestream.start();
		}
		catch (LeaseException ex) {
			throw new LitestreamLeaseException(
					this.replicaProperties.getOrDefault(ex.replica() + " " + ex.location(), "litestream.dbs[?]"), ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Litestream could not open the databases to replicate", ex);
		}
		this.running = true;
	}

	private void register() {
		for (DatabaseSettings database : this.databases.databases()) {
			List<ReplicationTarget> targets = new ArrayList<>();
			for (ReplicaSettings replica : database.replicas()) {
				ReplicaOperationListener listener = this.listeners.listenerFor(database.options(this.properties.getBusyTimeout()).path(),
						replica.options().name());
				ReplicaClient client = this.clients.create(replica, listener);
				this.replicaProperties.put(replica.options().name() + " " + client.location(), database.property());
				targets.add(new ReplicationTarget(client, replica.options()));
			}
			this.litestream.addDatabase(database.options(this.properties.getBusyTimeout()), database.lease(), targets);
		}
	}

	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		Duration timeout = this.properties.getShutdownTimeout();
		if (!this.litestream.stop(timeout)) {
			logger.warn("Litestream could not ship all WAL changes to every replica within {} "
					+ "(litestream.shutdown-timeout); the latest transactions may be missing from a replica", timeout);
		}
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
