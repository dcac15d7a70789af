package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import io.github.litestream.ListedOnce;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.restore.RestoreException;
import io.github.litestream.restore.RestoreOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica clients of one restore-on-boot of a database: one per replica, made when first
 * needed and closed at the end, each seeing its replica's listings once ({@link ListedOnce}).
 * Choosing the replica with the newest backup and restoring from it then list the replica once
 * and connect once: on a remote store, a listing of a long WAL takes several requests, and a
 * cold client's first connection takes tens of milliseconds, both paid before the application
 * starts. A replica whose client is lent ({@link Lent}) is read through it, already
 * connected, and never closed here: a leased replica's is the client its lease is kept through
 * (the leases close it once the engine took them over, after the restore), a database registered
 * with the running engine's is the engine's own (it replicates through it next).
 */
final class RestoreClients implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RestoreClients.class);

	private final ReplicaClientFactory factory;

	private final Lent lent;

	private final Map<ReplicaSettings, ReplicaClient> made = new IdentityHashMap<>();

	private final Map<ReplicaSettings, ReplicaClient> listedOnce = new IdentityHashMap<>();

	RestoreClients(ReplicaClientFactory factory) {
		this(factory, RestoreLeasing.NONE);
	}

	RestoreClients(ReplicaClientFactory factory, Lent lent) {
		this.factory = factory;
		this.lent = lent;
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
			ReplicaClient lent = this.lent.client(replica);
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

	/** The clients others own that the restore reads replicas through, rather than make its own. */
	@FunctionalInterface
	interface Lent {

		/**
		 * The client to read a replica through; the restore must not close it.
		 * @param replica a replica of the database restored
		 * @return the client, or {@code null} for one made (and closed) by the restore
		 */
		@Nullable ReplicaClient client(ReplicaSettings replica);

		/**
		 * The clients a database is replicated through, lent by position.
		 * @param database the database
		 * @param clients its replicas' clients, in the order of {@link DatabaseSettings#replicas()}
		 * @return the lender; it lends none if the two lists differ in size
		 */
		static Lent byPosition(DatabaseSettings database, List<ReplicaClient> clients) {
			List<ReplicaSettings> replicas = database.replicas();
			if (replicas.size() != clients.size()) {
				return (replica) -> null;
			}
			Map<ReplicaSettings, ReplicaClient> lent = new IdentityHashMap<>();
			for (int i = 0; i < replicas.size(); i++) {
				lent.put(replicas.get(i), clients.get(i));
			}
			return lent::get;
		}

	}

	/** What runs with a client. */
	@FunctionalInterface
	interface ClientCall<T> {

		T apply(ReplicaClient client) throws IOException;

	}

}
