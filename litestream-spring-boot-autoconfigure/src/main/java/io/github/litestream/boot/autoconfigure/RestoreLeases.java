package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.github.litestream.AdvanceLeases;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.lease.LeaseException;
import io.github.litestream.lease.LeaseFencedException;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases a restore-on-boot takes before it reads a leased database's replicas (see
 * {@link AdvanceLeases}), held for the engine, which takes them over at its start: the restore
 * then holds every commit of the last instance, and no other instance moves the generation on
 * until the engine continues it. A live holder fails startup before anything is restored, as it
 * would fail the engine's start.
 */
final class RestoreLeases implements RestoreLeasing, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RestoreLeases.class);

	private final ReplicaClientFactory clients;

	private final Supplier<LeaseHolder> holder;

	private @Nullable AdvanceLeases leases;

	/** The clients the leases are kept through, closed once the engine has them. */
	private final List<ReplicaClient> leaseClients = new ArrayList<>();

	/** The same, by the replica each was made for: the restores read the replicas through them. */
	private final Map<ReplicaSettings, ReplicaClient> byReplica = new IdentityHashMap<>();

	private boolean handedOver;

	/**
	 * Creates the leases of no database yet.
	 * @param clients creates the clients the leases are kept through
	 * @param holder the engine's lease holder, asked for at the first lease
	 */
	RestoreLeases(ReplicaClientFactory clients, Supplier<LeaseHolder> holder) {
		this.clients = clients;
		this.holder = holder;
	}

	/**
	 * Takes the leases of a database about to be restored (or checked), if it is leased.
	 * @param database the database
	 * @return whether another instance held one of them before (it may have written to the
	 * replica); {@code false} if none was taken
	 * @throws LitestreamLeaseException if another live instance holds one, or a store cannot
	 * keep one
	 * @throws LitestreamRestoreException if a replica's store does not answer
	 */
	@Override
	public synchronized boolean take(DatabaseSettings database) {
		if (!database.lease().enabled() || this.handedOver) {
			// Once the engine runs, a database it did not start with takes its leases when it is
			// registered with it.
			return false;
		}
		if (this.leases == null) {
			this.leases = new AdvanceLeases(this.holder.get(), Clock.systemUTC());
		}
		boolean followedAnother = false;
		for (ReplicaSettings replica : database.replicas()) {
			ReplicaClient client = this.clients.create(replica, ReplicaOperationListener.NONE);
			this.leaseClients.add(client);
			this.byReplica.put(replica, client);
			try {
				followedAnother |= this.leases.take(List.of(new ReplicationTarget(client, replica.options())),
						database.lease());
			}
			catch (LeaseException ex) {
				throw new LitestreamLeaseException(database.property(), ex);
			}
			catch (IOException | RuntimeException ex) {
				throw new LitestreamRestoreException(database.path(), database.property(), replica.name(),
						client.location(), false, ex);
			}
		}
		return followedAnother;
	}

	@Override
	public synchronized @Nullable ReplicaClient client(ReplicaSettings replica) {
		return this.byReplica.get(replica);
	}

	/**
	 * Stops renewing the leases for the engine, which takes them over next.
	 * @throws LeaseFencedException if another instance took one meanwhile (and may have written
	 * past what was restored): the engine must not start; the leases are given back
	 */
	synchronized void handOver() throws LeaseFencedException {
		this.handedOver = true;
		try {
			if (this.leases != null) {
				this.leases.handOver();
			}
		}
		finally {
			closeClients();
		}
	}

	/**
	 * Gives back the leases never handed over.
	 */
	@Override
	public synchronized void close() {
		if (this.leases != null) {
			this.leases.close();
		}
		closeClients();
	}

	private void closeClients() {
		for (ReplicaClient client : this.leaseClients) {
			try {
				client.close();
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Closing replica client {}: {}", client.location(), ex.getMessage());
			}
		}
		this.leaseClients.clear();
		this.byReplica.clear();
	}

}
