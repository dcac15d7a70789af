package io.github.litestream.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.litestream.replica.ReplicaClient;

/**
 * Restores a database from a replica: the single entry point for restore-on-boot, validation
 * and the actuator.
 *
 * <p>It never touches an existing database: an existing output is an error, or, with
 * {@code ifDbNotExists}, a logged skip. A replica without any backup is an error, or, with
 * {@code ifReplicaExists}, a logged skip. Otherwise it plans with {@link RestorePlanner} and
 * builds the database in temporary files next to the output, moving it into place only once
 * it passes {@code PRAGMA integrity_check}.
 */
public final class Restorer {

	private static final Logger logger = LoggerFactory.getLogger(Restorer.class);

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
		if (Files.exists(output)) {
			if (options.ifDbNotExists()) {
				logger.info("Database {} already exists; not restoring it from {}", output, client.location());
				return RestoreResult.skipped(output, "the database already exists", since(start));
			}
			throw new RestoreException("Cannot restore to " + output + ": the file already exists; move or delete it "
					+ "first, or set if-db-not-exists to keep it");
		}
		Optional<RestorePlan> plan = new RestorePlanner(client).plan(options);
		if (plan.isEmpty()) {
			String reason = "the replica " + client.location() + " holds no backup"
					+ ((options.generation() != null) ? " of generation " + options.generation() : "");
			if (options.ifReplicaExists()) {
				logger.info("Not restoring {}: {}", output, reason);
				return RestoreResult.skipped(output, reason, since(start));
			}
			throw new RestoreException("Cannot restore " + output + ": " + reason
					+ "; check the replica's location, or set if-replica-exists to start with an empty database");
		}
		logger.info("Restoring {} from {}", output, plan.get());
		long walBytes = new RestoreExecutor(client, plan.get(), output, options.parallelism()).execute();
		return RestoreResult.restored(output, plan.get(), walBytes, since(start));
	}

	private static Duration since(long start) {
		return Duration.ofNanos(System.nanoTime() - start);
	}

}
