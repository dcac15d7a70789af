package io.github.litestream.boot.autoconfigure;

import io.github.litestream.replica.ReplicaClient;
import org.jspecify.annotations.Nullable;

/**
 * The leases a restore-on-boot takes before it reads a database's replicas (see
 * {@link RestoreLeases}), and the clients they are kept through, which the restore reads the
 * replicas with too: one client, and one first connection, per replica.
 */
interface RestoreLeasing extends RestoreClients.Lent {

	/** No leases: every restore makes its own clients. */
	RestoreLeasing NONE = new RestoreLeasing() {

		@Override
		public boolean take(DatabaseSettings database) {
			return false;
		}

		@Override
		public @Nullable ReplicaClient client(ReplicaSettings replica) {
			return null;
		}

	};

	/**
	 * Takes the leases of a database about to be restored (or checked), if it is leased.
	 * @param database the database
	 * @return whether another instance held one of them before (it may have written to the
	 * replica); {@code false} if none was taken
	 */
	boolean take(DatabaseSettings database);

	/**
	 * The client a replica's lease is kept through, for the restore to read the replica with. It
	 * stays open until the leases are handed over to the engine or given back, after the
	 * restores: the restore must not close it.
	 * @param replica a replica of a database whose leases were taken
	 * @return the client, or {@code null} if no lease of that replica is kept
	 */
	@Override
	@Nullable ReplicaClient client(ReplicaSettings replica);

}
