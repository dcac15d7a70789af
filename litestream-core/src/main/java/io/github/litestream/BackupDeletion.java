package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes every generation a replica holds of a database, one whole generation at a time, the
 * newest backup last: a deletion that stops between two generations (the engine closed under a
 * tenant's removal, a store that failed) leaves whole generations only, the newest among them,
 * so that a later restore brings back the database's last state, as if its backups had been
 * kept, and retention deletes them as any old generations; never an older state while the newer
 * one is gone. Only a generation whose own deletion fails halfway (one request of a store) can be
 * left in part: it is then an older one, unless it is the last.
 */
final class BackupDeletion {

	private static final Logger logger = LoggerFactory.getLogger(DatabaseRegistry.class);

	private BackupDeletion() {
	}

	/**
	 * Deletes every generation of a replica.
	 * @param path the database file, for the log
	 * @param name the replica's name
	 * @param client the replica
	 * @param stop asked before each generation: {@code true} stops the deletion there
	 * @throws Stopped if stopped before every generation was deleted
	 * @throws IOException if the replica cannot be listed or a generation deleted
	 */
	static void deleteAll(Path path, String name, ReplicaClient client, BooleanSupplier stop) throws IOException {
		List<String> generations = newestBackupLast(client);
		for (int i = 0; i < generations.size(); i++) {
			if (stop.getAsBoolean()) {
				throw new Stopped(name, client.location(), generations.subList(i, generations.size()));
			}
			client.deleteGeneration(generations.get(i));
		}
		logger.info("Deleted the backups of {} in replica '{}' ({})", path, name, client.location());
	}

	/**
	 * Deletes every generation of a removed database's replicas, replica after replica, unless
	 * the engine's close gave up waiting for the removal: it then stops before the next
	 * generation, and says what is left.
	 * @param path the database file
	 * @param replicas its replicas
	 * @param closed whether the engine's close gave up waiting for this removal
	 * @throws IOException naming the database and what each replica still holds, if it stopped;
	 * or if a replica cannot be listed or a generation deleted
	 */
	static void deleteAll(Path path, List<Replica> replicas, BooleanSupplier closed) throws IOException {
		for (int i = 0; i < replicas.size(); i++) {
			Replica replica = replicas.get(i);
			try {
				deleteAll(path, replica.name(), replica.client(), closed);
			}
			catch (Stopped ex) {
				List<String> untouched = replicas.subList(i + 1, replicas.size()).stream().map(Replica::name).toList();
				IOException stopped = new IOException("The removal of " + path + " stopped before all its backups "
						+ "were deleted: the engine closed (the application shut down) and stopped waiting for it; "
						+ ex.getMessage() + (untouched.isEmpty() ? "" : ", and replicas " + untouched + " all theirs")
						+ ". What is left is whole generations, the newest backup among them: a restore brings back "
						+ "the database's last state. Delete it again with Backups.DELETE once the engine runs, or "
						+ "delete those generations from the replicas", ex);
				logger.warn(stopped.getMessage());
				throw stopped;
			}
		}
	}

	/**
	 * The generations, in the order to delete them: those without a snapshot first (no restore
	 * chooses them), then by their newest object, oldest first, as a restore ranks them. A
	 * single generation (the usual case) costs no listing of its objects.
	 */
	private static List<String> newestBackupLast(ReplicaClient client) throws IOException {
		List<String> generations = new ArrayList<>(client.generations());
		if (generations.size() < 2) {
			return generations;
		}
		Map<String, Instant> newest = new HashMap<>();
		for (String generation : generations) {
			List<SnapshotInfo> snapshots = client.snapshots(generation);
			Instant at = Instant.MIN;
			if (!snapshots.isEmpty()) {
				for (SnapshotInfo snapshot : snapshots) {
					at = max(at, snapshot.createdAt());
				}
				for (WalSegmentInfo segment : client.walSegments(generation)) {
					at = max(at, segment.createdAt());
				}
			}
			newest.put(generation, at);
		}
		generations.sort(Comparator.comparing((String generation) -> newest.get(generation))
			.thenComparing(Comparator.naturalOrder()));
		return generations;
	}

	private static Instant max(Instant a, Instant b) {
		return a.isAfter(b) ? a : b;
	}

	/**
	 * A deletion stopped between two generations: those left are whole.
	 */
	static final class Stopped extends IOException {

		Stopped(String replica, String location, List<String> left) {
			super("replica '" + replica + "' (" + location + ") still holds generations " + left);
		}

	}

}
