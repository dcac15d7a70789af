package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaPositions;
import io.github.litestream.replica.WalSegmentInfo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses which of a database's replicas a latest restore reads, as Litestream does: the one
 * whose newest restorable point is the most recent, not the first one configured.
 *
 * <p>Each replica is listed once ({@link #list}); its newest restorable point is the newest
 * object of the generation a latest restore of it would read (see
 * {@link RestorePlanner#newestBackup()}). {@link #rank} orders the replicas holding a backup
 * by that time, newest first, except that replicas of the same generation are ordered by how
 * far its WAL goes in each; replicas still equal keep their configuration order.
 * Configuration order alone would restore a replica that stopped receiving writes while a
 * newer one exists, and the new generation started on top of it would later let retention
 * delete the newer history.
 *
 * <p>Listing reads no object but, with several replicas, the newest WAL segment (to learn where
 * it ends); a damaged replica ranks like an intact one, and the caller decides what to do when
 * restoring the first choice fails. A replica that cannot be listed fails {@link #list}: a
 * ranking that left it out could silently pick an older backup.
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
	 * @param replicas how many replicas are compared: when several are, the end of the newest
	 * generation's WAL is also read (one more listing and one segment), which tells apart
	 * replicas of the same generation whose times do not
	 * @return the candidate
	 * @throws IOException if the replica cannot be listed
	 */
	public static <R> Candidate<R> list(R replica, String name, ReplicaClient client, int replicas)
			throws IOException {
		NewestBackup newest = new RestorePlanner(client).newestBackup().orElse(null);
		Pos end = null;
		if (newest != null && replicas > 1) {
			end = end(client, name, newest);
		}
		return new Candidate<>(replica, name, newest, end);
	}

	/**
	 * Where the WAL of the newest backup's generation ends, read from its last segment. A
	 * damaged segment counts as ending where its index starts: the restore itself then finds
	 * the damage, and the fall-back handles it, rather than the ranking failing. A listing or
	 * download that fails fails the ranking, as a replica that cannot be listed does: it says
	 * nothing about how far the replica goes, and ranking it behind could restore another
	 * replica's older backup without a word.
	 */
	private static Pos end(ReplicaClient client, String name, NewestBackup newest) throws IOException {
		Pos start = new Pos(newest.generation(), newest.index(), 0);
		try {
			return ReplicaPositions.end(marking(client), newest.generation()).orElse(start);
		}
		catch (IOException | RuntimeException ex) {
			if (ObjectDownload.failedToDownload(ex) || ex instanceof InterruptedIOException) {
				throw new IOException("Cannot read the newest WAL segment of replica '" + name + "' ("
						+ client.location() + ") to compare it with the other replicas: " + ex.getMessage(), ex);
			}
			logger.warn("Replica '{}': the end of its newest WAL segment cannot be read ({}); it ranks as if its WAL "
					+ "ended at {}", name, ex.getMessage(), start);
			return start;
		}
	}

	/** The client, its listing and download failures marked as {@link ObjectDownload} marks them. */
	private static ReplicaClient marking(ReplicaClient client) {
		return new ForwardingReplicaClient(client) {

			@Override
			public List<WalSegmentInfo> walSegments(String generation) throws IOException {
				try {
					return super.walSegments(generation);
				}
				catch (IOException ex) {
					throw ObjectDownload.failed(ex);
				}
			}

			@Override
			public InputStream openWalSegment(Pos pos) throws IOException {
				return ObjectDownload.open(() -> super.openWalSegment(pos));
			}

		};
	}

	/**
	 * Ranks replicas for a latest restore and logs, at INFO, which one comes first and why
	 * each other one does not. Replicas are ranked by the generation they would restore, the
	 * one stored most recently by any of them first; replicas of the same generation, by how
	 * far its WAL goes in each (a replica behind may have stored its last, older segment after
	 * another stored a newer one, or within the same second), then by time.
	 * @param <R> the caller's type for a replica
	 * @param database the database being restored, for the log
	 * @param candidates every replica of the database, in configuration order
	 * @return the candidates holding a backup, the most recent first; equally recent ones in
	 * configuration order
	 */
	public static <R> List<Candidate<R>> rank(Path database, List<Candidate<R>> candidates) {
		List<Candidate<R>> ranked = new ArrayList<>(
				candidates.stream().filter((candidate) -> candidate.newestBackup() != null).toList());
		Map<String, Instant> generationTimes = new HashMap<>();
		Map<String, Integer> generationOrder = new HashMap<>();
		for (Candidate<R> candidate : ranked) {
			generationTimes.merge(candidate.newestBackup().generation(), candidate.newestBackup().updatedAt(),
					(a, b) -> a.isAfter(b) ? a : b);
			generationOrder.putIfAbsent(candidate.newestBackup().generation(), generationOrder.size());
		}
		// Generations equally recent go in the order of the first replica holding each.
		Comparator<Candidate<R>> byGeneration = Comparator
			.comparing((Candidate<R> candidate) -> generationTimes.get(candidate.newestBackup().generation()))
			.reversed()
			.thenComparing((candidate) -> generationOrder.get(candidate.newestBackup().generation()));
		Comparator<Candidate<R>> byEnd = Comparator.comparing(Candidate::end,
				Comparator.nullsFirst(Comparator.naturalOrder()));
		// List.sort is stable: what compares equal keeps configuration order.
		ranked.sort(byGeneration.thenComparing(byEnd.reversed())
			.thenComparing(Comparator.comparing((Candidate<R> candidate) -> candidate.newestBackup().updatedAt())
				.reversed()));
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
		if (other.newestBackup().generation().equals(best.newestBackup().generation()) && other.end() != null
				&& best.end() != null && other.end().compareTo(best.end()) < 0) {
			return newest + ", ends at " + other.end() + ", behind replica '" + best.name() + "', which holds the same "
					+ "generation up to " + best.end();
		}
		if (!other.newestBackup().generation().equals(best.newestBackup().generation())) {
			return newest + ", is of an older generation than that of replica '" + best.name() + "', at "
					+ best.newestBackup();
		}
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
	 * @param end where the WAL of that point's generation ends, or {@code null} if not read
	 */
	public record Candidate<R>(R replica, String name, @Nullable NewestBackup newestBackup, @Nullable Pos end) {

		/**
		 * Checks the components.
		 * @param replica the replica
		 * @param name the name
		 * @param newestBackup the newest backup or {@code null}
		 * @param end the end of its generation's WAL or {@code null}
		 */
		public Candidate {
			Objects.requireNonNull(replica, "replica");
			Objects.requireNonNull(name, "name");
		}

	}

}
