package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Checks, before any restore, that no two replicas of the configured databases share a
 * location. A location holds one database's generations: a second database there would be
 * restored from the first one's backup on an empty disk, and the engine, which refuses such a
 * pair when it registers them, would only notice after that restore (and after Flyway ran on
 * the wrong data). A restored file is kept on the next start, so the mix would outlive the fix.
 */
final class ReplicaLocations {

	private ReplicaLocations() {
	}

	/**
	 * Fails if two replicas share a location.
	 * @param databases the entries without {@code dir}; the one without a path too, whose
	 * replicas are known before its DataSource names its file
	 * @param clients creates a client to ask its location (no request is made)
	 * @throws LitestreamConfigurationException naming the second replica
	 */
	static void requireDistinct(List<DatabaseSettings> databases, ReplicaClientFactory clients) {
		if (databases.size() < 2) {
			// One entry: the engine's own check at registration comes before any harm.
			return;
		}
		Map<String, String> used = new LinkedHashMap<>();
		for (DatabaseSettings database : databases) {
			for (ReplicaSettings replica : database.replicas()) {
				String location = location(replica, clients);
				String other = used.putIfAbsent(location,
						replica.property() + ((database.path() != null) ? " (" + database.path() + ")" : ""));
				if (other != null) {
					throw new LitestreamConfigurationException(replica.property(),
							"the replica is at " + location + ", as is " + other
									+ "; a replica location holds the backups of one database",
							"Give each database a replica location of its own, such as a path or URL ending in the "
									+ "database's name.");
				}
			}
		}
	}

	private static String location(ReplicaSettings replica, ReplicaClientFactory clients) {
		ReplicaClient client = clients.create(replica, ReplicaOperationListener.NONE);
		try (client) {
			return client.location();
		}
		catch (IOException ex) {
			// Closing a client that made no request: its location is known all the same.
			return client.location();
		}
	}

}
