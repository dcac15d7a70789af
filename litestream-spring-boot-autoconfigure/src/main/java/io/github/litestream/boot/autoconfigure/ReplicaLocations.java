package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Checks, before any restore, that no two replicas of the configured databases share a
 * location. A location holds one database's generations: a second database there would be
 * restored from the first one's backup on an empty disk, and the engine, which refuses such a
 * pair when it registers them, would only notice after that restore (and after Flyway ran on
 * the wrong data). A restored file is kept on the next start, so the mix would outlive the fix.
 * A {@code dir} entry's replica holds a tree, one database below each relative path, and its
 * restore brings back every database it finds there: no other replica may lie in that tree.
 */
final class ReplicaLocations {

	private ReplicaLocations() {
	}

	/**
	 * Fails if two replicas share a location, or one lies in a {@code dir} entry's tree.
	 * @param databases the entries without {@code dir}, the one without a path too (its
	 * replicas are known before its DataSource names its file), and the entries with {@code dir}
	 * @param clients creates a client to ask its location (no request is made)
	 * @throws LitestreamConfigurationException naming the second replica
	 */
	static void requireDistinct(List<DatabaseSettings> databases, ReplicaClientFactory clients) {
		if (databases.size() < 2) {
			// One entry: the engine's own check at registration comes before any harm.
			return;
		}
		List<Located> seen = new ArrayList<>();
		for (DatabaseSettings database : databases) {
			for (ReplicaSettings replica : database.replicas()) {
				Located located = new Located(location(replica, clients), database.directory() != null,
						replica.property() + describe(database));
				for (Located other : seen) {
					if (located.overlaps(other)) {
						throw new LitestreamConfigurationException(replica.property(), "the replica is at "
								+ located.location() + ", " + other.relation(located) + " " + other.description()
								+ "; a replica location holds the backups of one database",
								"Give each database a replica location of its own, such as a path or URL ending in the "
										+ "database's name, outside every dir entry's replica.");
					}
				}
				seen.add(located);
			}
		}
	}

	private static String describe(DatabaseSettings database) {
		if (database.directory() != null) {
			return " (the databases of " + database.directory().dir() + ")";
		}
		return (database.path() != null) ? " (" + database.path() + ")" : "";
	}

	/**
	 * A replica's location, and whether it holds a tree of databases.
	 */
	private record Located(String location, boolean tree, String description) {

		boolean overlaps(Located other) {
			return this.location.equals(other.location) || (other.tree && isBelow(this.location, other.location))
					|| (this.tree && isBelow(other.location, this.location));
		}

		/** How this one's location relates to another's that overlaps it. */
		String relation(Located other) {
			if (this.location.equals(other.location)) {
				return "as is";
			}
			return this.tree && isBelow(other.location, this.location) ? "in the tree of" : "whose tree holds";
		}

		private static boolean isBelow(String location, String tree) {
			return location.startsWith(tree.endsWith("/") ? tree : tree + "/");
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
