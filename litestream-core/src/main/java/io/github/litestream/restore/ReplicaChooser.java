package io.github.litestream.restore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.litestream.replica.ReplicaClient;

/**
 * Chooses which of a database's replicas a latest restore reads, as Litestream does: the one
 * whose newest restorable point is the most recent, not the first one configured.
 *
 * <p>Each replica is listed once ({@link #list}); its newest restorable point is the newest
 * object of the generation a latest restore of it would read (see
 * {@link RestorePlanner#newestBackup()}). {@link #rank} orders the replicas holding a backup
 * by that time, newest first; replicas whose times are equal keep their configuration order.
 * Configuration order alone would restore a replica that stopped receiving writes while a
 * newer one exists, and the new generation started on top of it would later let retention
 * delete the newer history.
 *
 * <p>Listing reads no object, so a damaged replica ranks like an intact one: the caller
 * decides what to do when restoring the first choice fails. An unreadable replica fails
 * {@link #list}: a ranking that left it out could silently pick an older backup.
 */
public final class ReplicaChooser {

	private static final Logger logger = LoggerFactory.getLogger(ReplicaChooser.class);

	private ReplicaChooser() {
	}

	/**
	 * Lists a replica to find its newest restorable point.
	 * @param <R> the caller's type for a replica
	 * @param replica the caller's replica, returned in the candidate
	 * @param name the replica's name, for the log
	 * @param client the replica's client
	 * @return the candidate
	 * @throws IOException if the replica cannot be listed
	 */
	public static <R> Candidate<R> list(R replica, String name, ReplicaClient client) throws IOException {
		return new Candidate<>(replica, name, new RestorePlanner(client).newestBackup().orElse(null));
	}

	/**
	 * Ranks replicas for a latest restore and logs, at INFO, which one comes first and why
	 * each other one does not.
	 * @param <R> the caller's type for a replica
	 * @param database the database being restored, for the log
	 * @param candidates every replica of the database, in configuration order
	 * @return the candidates holding a backup, the most recent first; equally recent ones in
	 * configuration order
	 */
	public static <R> List<Candidate<R>> rank(Path database, List<Candidate<R>> candidates) {
		List<Candidate<R>> ranked = new ArrayList<>(
				candidates.stream().filter((candidate) -> candidate.newestBackup() != null).toList());
		// List.sort is stable: equal times keep configuration order.
		ranked.sort(Comparator.comparing((Candidate<R> candidate) -> candidate.newestBackup().updatedAt()).reversed());
		if (candidates.size() > 1 && !ranked.isEmpty()) {
			log(database, candidates, ranked);
		}
		return List.copyOf(ranked);
	}

	private static <R> void log(Path database, List<Candidate<R>> candidates, List<Candidate<R>> ranked) {
		Candidate<R> best = ranked.get(0);
		logger.info("Restoring {} from replica '{}': its newest backup, at {}, is the most recent of {} replicas",
				database, best.name(), best.newestBackup(), candidates.size());
		for (Candidate<R> other : candidates) {
			if (other != best) {
				logger.info("Passing over replica '{}' for {}: {}", other.name(), database,
						passedOverBecause(other, best));
			}
		}
	}

	private static String passedOverBecause(Candidate<?> other, Candidate<?> best) {
		if (other.newestBackup() == null) {
			return "it holds no backup";
		}
		String newest = "its newest backup, at " + other.newestBackup();
		if (other.newestBackup().updatedAt().isBefore(best.newestBackup().updatedAt())) {
			return newest + ", is older than that of replica '" + best.name() + "', at " + best.newestBackup().updatedAt();
		}
		// Equal times: the sort kept configuration order, so the best one is configured first.
		return newest + ", is as recent as that of replica '" + best.name() + "', which is configured first";
	}

	/**
	 * A replica to choose from, with what its listing showed.
	 *
	 * @param <R> the caller's type for a replica
	 * @param replica the caller's replica
	 * @param name the replica's name, for the log
	 * @param newestBackup its newest restorable point, or {@code null} when it holds no backup
	 */
	public record Candidate<R>(R replica, String name, NewestBackup newestBackup) {

		/**
		 * Checks the components.
		 * @param replica the replica
		 * @param name the name
		 * @param newestBackup the newest backup or {@code null}
		 */
		public Candidate {
			Objects.requireNonNull(replica, "replica");
			Objects.requireNonNull(name, "name");
		}

	}

}
