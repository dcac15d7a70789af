package io.github.litestream.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.litestream.db.FollowerCopyMark;
import io.github.litestream.db.GenerationContinuation;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.sqlite.SqliteFiles;

/**
 * Restores a database from a replica: the single entry point for restore-on-boot, validation
 * and the actuator.
 *
 * <p>It never touches an existing database: an existing output is an error, or, with
 * {@code ifDbNotExists}, a logged skip. A replica without any backup is an error, or, with
 * {@code ifReplicaExists}, a logged skip. Otherwise it plans with {@link RestorePlanner} and
 * builds the database in temporary files next to the output, moving it into place only once
 * it passes {@code PRAGMA integrity_check}. Temporary files that a killed restore of the same
 * output left behind are removed first. One restore of an output runs at a time: a second one,
 * in this process or another, fails at once and leaves the first one's files alone
 * ({@link RestoreLock}).
 *
 * <p>With {@link RestoreOptions#fallBack()}, a missing or corrupt object does not end the
 * restore: a damaged WAL index lowers the target to the index before it, a damaged snapshot
 * is replaced by an earlier one of the same generation (whose WAL may still reach the same
 * point), and the restore is planned and run again. Each fallback is logged at WARN and listed
 * in the result. Damage the restore cannot place (a failed integrity check) still fails.
 */
public final class Restorer {

	private static final Logger logger = LoggerFactory.getLogger(Restorer.class);

	/** Each fallback lowers the target or drops a snapshot; this only bounds a pathological replica. */
	private static final int MAX_FALLBACKS = 1000;

	/**
	 * Restores according to {@code options}.
	 * @param client the replica to read
	 * @param options what to restore and where
	 * @return what was restored, or that (and why) nothing was
	 * @throws RestoreException if the restore was refused or failed; the output is then untouched
	 * @throws IOException if the replica or the local disk fails
	 */
	public RestoreResult restore(ReplicaClient client, RestoreOptions options) throws IOException {
		long start = System.nanoTime();
		Path output = options.outputPath().toAbsolutePath().normalize();
		// Built where SQLite will open it: through a link at the output (into a volume, say),
		// beside the WAL it keeps there. The engine's local state stays beside the output.
		Path file = SqliteFiles.resolved(output);
		if (Files.exists(output) && FollowerCopyMark.writer(output).isEmpty()) {
			// Nothing to restore, only a killed restore's files to remove (unless one still runs).
			LeftoverRestoreFiles.remove(file);
			return existing(client, options, output, start);
		}
		// LZ4 is needed once the snapshot is read, SQLite only for the integrity check at the end;
		// loading both now uses the processor that locking, cleaning up and planning (one thread)
		// leave idle.
		NativeWarmUp.start();
		// Held to the end: a second restore of the same output fails rather than remove these files.
		// The lock file goes beside the output, so its directory is created now, as Litestream does.
		Path directory = file.getParent();
		boolean created = !Files.isDirectory(directory);
		Files.createDirectories(directory);
		try (RestoreLock lock = RestoreLock.acquire(file)) {
			LeftoverRestoreFiles.removeHolding(file);
			Optional<String> follower = FollowerCopyMark.writer(output);
			if (follower.isPresent()) {
				// No follower writes it any more (it would hold the lock): it may be torn.
				if (!options.ifDbNotExists()) {
					throw new RestoreException("Cannot restore to " + output + ": the file exists, the copy of "
							+ follower.get() + " that stopped without handing it over, so it may be torn ("
							+ FollowerCopyMark.of(output) + " marks it); delete it with its -wal and -shm files and the "
							+ "mark, or set if-db-not-exists to set it aside and restore");
				}
				Path aside = FollowerCopyMark.setAside(file, Clock.systemUTC());
				logger.warn("{} was the copy of {} that stopped without handing it over, so it may be torn: it is kept "
						+ "as {}, and the database is restored from {} in its place", output, follower.get(), aside,
						client.location());
			}
			if (Files.exists(output)) {
				// Installed by a restore that ended just before this one took the lock.
				return existing(client, options, output, start);
			}
			// A mark left alone by a follower killed before its first restore was in place.
			FollowerCopyMark.clear(output);
			return restore(client, options, output, file, start);
		}
		finally {
			if (created && !Files.exists(file)) {
				// A refused or failed restore leaves nothing behind, not even the directory.
				removeIfEmpty(directory);
			}
		}
	}

	private static void removeIfEmpty(Path directory) {
		try {
			Files.deleteIfExists(directory);
		}
		catch (IOException ex) {
			// Not empty: another restore of a file there uses it.
		}
	}

	private RestoreResult restore(ReplicaClient client, RestoreOptions options, Path output, Path file, long start)
			throws IOException {
		RestorePlanner planner = new RestorePlanner(client);
		Set<DamagedObject> unusableSnapshots = new HashSet<>();
		List<DamagedObject> avoided = new ArrayList<>();
		RestoreOptions attempt = options;
		while (true) {
			RestorePlan plan = null;
			try {
				Optional<RestorePlan> planned = planner.plan(attempt, unusableSnapshots);
				if (planned.isEmpty()) {
					return nothingToRestore(client, options, output, start, avoided);
				}
				plan = planned.get();
				logger.info("Restoring {} from {}", output, plan);
				if (!plan.passedOver().isEmpty()) {
					logger.warn("Restoring {} from generation {}, not the newer {}: they hold no snapshot yet (still "
							+ "uploading, or the upload failed), so the restored database lacks their changes",
							output, plan.generation(), plan.passedOver());
				}
				Path lastWal = continues(planner, options, attempt, plan) ? LeftoverRestoreFiles.lastWal(file) : null;
				long walBytes = new RestoreExecutor(client, plan, file, options.parallelism(), lastWal).execute();
				Pos continued = (lastWal != null) ? recordContinuation(output, plan, lastWal) : null;
				return RestoreResult.restored(output, plan, walBytes, since(start), avoided, continued);
			}
			catch (RestoreException ex) {
				Optional<DamagedObject> damaged = ex.damagedObject();
				RestoreOptions earlier = (options.fallBack() && damaged.isPresent())
						? earlierPoint(attempt, plan, damaged.get()) : null;
				if (earlier == null || avoided.size() >= MAX_FALLBACKS) {
					if (avoided.isEmpty()) {
						throw ex;
					}
					throw new RestoreException("Cannot restore " + output + " from " + client.location()
							+ ": falling back past the damaged " + avoided + " found no intact earlier point: "
							+ ex.getMessage(), ex);
				}
				avoided.add(damaged.get());
				if (damaged.get().snapshot()) {
					unusableSnapshots.add(damaged.get());
				}
				logger.warn("Restore of {} cannot use the {}: {}. Falling back to an earlier point ({}): the changes "
						+ "after it are not restored", output, damaged.get(), ex.getMessage(), describe(earlier));
				attempt = earlier;
			}
		}
	}

	private static RestoreResult existing(ReplicaClient client, RestoreOptions options, Path output, long start)
			throws RestoreException {
		if (options.ifDbNotExists()) {
			logger.info("Database {} already exists; not restoring it from {}", output, client.location());
			return RestoreResult.skipped(output, "the database already exists", since(start));
		}
		throw new RestoreException("Cannot restore to " + output + ": the file already exists; move or delete it "
				+ "first, or set if-db-not-exists to keep it");
	}

	/**
	 * Leaves the state that lets the engine continue the generation after the restored
	 * position. A failure only costs the engine a new generation, so it is logged, not thrown.
	 * @return the position continued after, or {@code null}
	 */
	private static Pos recordContinuation(Path output, RestorePlan plan, Path lastWal) {
		try {
			if (!Files.exists(lastWal)) {
				return null;
			}
			Pos end = new Pos(plan.generation(), plan.targetIndex(), Files.size(lastWal));
			return GenerationContinuation.record(output, end, lastWal) ? end : null;
		}
		catch (IOException ex) {
			logger.warn("{} will start a new generation: the state to continue generation {} could not be written: {}",
					output, plan.generation(), ex.getMessage());
			return null;
		}
		finally {
			deleteQuietly(lastWal);
		}
	}

	private static void deleteQuietly(Path file) {
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException ex) {
			logger.debug("Could not remove {}: {}", file, ex.getMessage());
		}
	}

	/**
	 * Whether the engine may continue the generation after this restore: only when it reaches
	 * the end of the replica's newest generation. An earlier point (a timestamp, an index, a
	 * fallback past damage, an older generation) would fork the history stored after it.
	 */
	private static boolean continues(RestorePlanner planner, RestoreOptions options, RestoreOptions attempt,
			RestorePlan plan) throws IOException {
		if (!options.continueGeneration() || attempt != options || options.index() != null
				|| options.timestamp() != null) {
			return false;
		}
		if (options.generation() == null) {
			return true;
		}
		Optional<NewestBackup> newest = planner.newestBackup();
		return newest.isPresent() && newest.get().generation().equals(plan.generation());
	}

	/**
	 * The options of the newest point before the damage, in the same generation, or
	 * {@code null} if there is none to try.
	 */
	private static RestoreOptions earlierPoint(RestoreOptions attempt, RestorePlan plan, DamagedObject damaged) {
		RestoreOptions sameGeneration = attempt.withGeneration(damaged.generation());
		if (damaged.snapshot()) {
			// Another snapshot with the WAL after it can still reach the same point: the same
			// timestamp if one was asked for (an index would restore everything after it), else
			// the same index.
			return (plan != null && attempt.timestamp() == null) ? sameGeneration.withIndex(plan.targetIndex())
					: sameGeneration;
		}
		if (damaged.index() == 0) {
			return null;
		}
		return sameGeneration.withIndex(damaged.index() - 1);
	}

	private static String describe(RestoreOptions options) {
		return "generation=" + options.generation()
				+ ((options.index() != null) ? " index=" + Pos.hex(options.index()) : "");
	}

	private static RestoreResult nothingToRestore(ReplicaClient client, RestoreOptions options, Path output, long start,
			List<DamagedObject> avoided) throws RestoreException {
		String reason = "the replica " + client.location() + " holds no backup"
				+ ((options.generation() != null) ? " of generation " + options.generation() : "");
		if (!avoided.isEmpty()) {
			throw new RestoreException("Cannot restore " + output + ": the replica " + client.location()
					+ " holds no intact backup; damaged: " + avoided + "; restore from another replica");
		}
		if (options.ifReplicaExists()) {
			logger.info("Not restoring {}: {}", output, reason);
			return RestoreResult.skipped(output, reason, since(start));
		}
		throw new RestoreException("Cannot restore " + output + ": " + reason
				+ "; check the replica's location, or set if-replica-exists to start with an empty database");
	}

	private static Duration since(long start) {
		return Duration.ofNanos(System.nanoTime() - start);
	}

}
