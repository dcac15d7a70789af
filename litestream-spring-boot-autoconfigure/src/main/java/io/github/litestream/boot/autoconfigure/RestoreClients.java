package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;

import io.github.litestream.ListedOnce;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.restore.RestoreException;
import io.github.litestream.restore.RestoreOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica clients of one restore-on-boot of a database: one per replica, made when first
 * needed and closed at the end, each seeing its replica's listings once ({@link ListedOnce}).
 * Choosing the replica with the newest backup and restoring from it then list the replica once
 * and connect once: on a remote store, a listing of a long WAL takes several requests, and a
 * cold client's first connection takes tens of milliseconds, both paid before the application
 * starts. A leased replica is read through the client its lease is kept through
 * ({@link RestoreLeasing#client}), already connected: that one belongs to the leases, which
 * close it once the engine took them over, after the restore.
 */
final class RestoreClients implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RestoreClients.class);

	private final ReplicaClientFactory factory;

	private final RestoreLeasing leases;

	private final Map<ReplicaSettings, ReplicaClient> made = new IdentityHashMap<>();

	private final Map<ReplicaSettings, ReplicaClient> listedOnce = new IdentityHashMap<>();

	RestoreClients(ReplicaClientFactory factory) {
		this(factory, RestoreLeasing.NONE);
	}

	RestoreClients(ReplicaClientFactory factory, RestoreLeasing leases) {
		this.factory = factory;
		this.leases = leases;
	}

	/**
	 * Runs a call with the replica's client. A client that can't be created is a configuration
	 * error ({@link ReplicaClientFactory#create}); anything that fails after that is the
	 * replica failing.
	 * @throws LitestreamRestoreException naming the database, the replica and the output
	 */
	<T> T call(DatabaseSettings database, ReplicaSettings replica, RestoreOptions options, ClientCall<T> call) {
		ReplicaClient client = this.listedOnce.get(replica);
		if (client == null) {
			ReplicaClient lent = this.leases.client(replica);
			if (lent == null) {
				lent = this.factory.create(replica, ReplicaOperationListener.NONE);
				this.made.put(replica, lent);
			}
			client = new ListedOnce(lent);
			this.listedOnce.put(replica, client);
		}
		try {
			return call.apply(client);
		}
		catch (IOException | RuntimeException ex) {
			boolean damage = ex instanceof RestoreException restore && restore.damagedObject().isPresent();
			throw new LitestreamRestoreException(options.outputPath(), database.property(), replica.name(),
					client.location(), damage, ex);
		}
	}

	@Override
	public void close() {
		for (ReplicaClient client : this.made.values()) {
			try {
				client.close();
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Could not close the client of {} after restoring: {}", client.location(), ex.getMessage());
			}
		}
		this.made.clear();
		this.listedOnce.clear();
	}

	/** What runs with a client. */
	@FunctionalInterface
	interface ClientCall<T> {

		T apply(ReplicaClient client) throws IOException;

	}

}
