package io.github.litestream.boot.actuate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.litestream.Litestream;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.restore.ReplicaChooser;
import io.github.litestream.restore.ReplicaChooser.Candidate;
import io.github.litestream.restore.RestoreException;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.RestorePlanner;
import io.github.litestream.restore.RestoreResult;
import io.github.litestream.restore.Restorer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * The {@code litestream} endpoint's recovery operations, each off unless enabled
 * ({@link LitestreamEndpointProperties}): restore a point in time of a replica into a new side
 * file, and validate replicas now. Neither touches the live database file: a side file gets a
 * new name in the configured directory, and the restore refuses a file that exists.
 */
public final class LitestreamRecoveryOperations {

	private static final Logger logger = LoggerFactory.getLogger(LitestreamRecoveryOperations.class);

	private static final Duration VALIDATION_TIMEOUT = Duration.ofMinutes(5);

	private static final DateTimeFormatter SIDE_FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
		.withZone(ZoneOffset.UTC);

	private final Litestream litestream;

	private final LitestreamEndpointProperties properties;

	private final Clock clock;

	LitestreamRecoveryOperations(Litestream litestream, LitestreamEndpointProperties properties, Clock clock) {
		this.litestream = litestream;
		this.properties = properties;
		this.clock = clock;
	}

	/**
	 * Restores into a new side file.
	 * @param database the database
	 * @param replicas its replicas to choose from (one, when the request names it)
	 * @param timestamp RFC 3339 time, or {@code null}
	 * @param index hex WAL index, or {@code null}
	 * @param generation the generation, or {@code null}
	 * @return what was restored, and where
	 */
	RestoreDescriptor restore(ReplicatedDatabase database, List<Replica> replicas, @Nullable String timestamp,
			@Nullable String index, @Nullable String generation) {
		if (!this.properties.getRestore().isEnabled()) {
			throw disabled("restore", "management.endpoint.litestream.restore.enabled");
		}
		Path output = sideFile(database.path());
		RestoreOptions options = RestoreOptions.latest(output);
		try {
			if (generation != null) {
				options = options.withGeneration(generation);
			}
			if (index != null) {
				options = options.withIndex(Pos.parseIndex(index));
			}
			if (timestamp != null) {
				options = options.withTimestamp(Instant.parse(timestamp));
			}
		}
		catch (IllegalArgumentException | DateTimeParseException ex) {
			throw refused("Invalid restore request: " + ex.getMessage()
					+ " (index: hex such as 0000001a; timestamp: RFC 3339 such as 2026-01-01T00:00:00Z)");
		}
		try {
			Replica replica = choose(database, replicas, options);
			RestoreResult result = new Restorer().restore(replica.client(), options);
			return new RestoreDescriptor(database.path().toString(), replica.name(), output.toString(),
					result.plan().generation(), Pos.hex(result.plan().snapshot().index()),
					Pos.hex(result.plan().targetIndex()), result.plan().compressedBytes(), result.elapsed().toMillis());
		}
		catch (RestoreException ex) {
			logger.warn("Restore of {} through the endpoint refused: {}", database.path(), ex.getMessage());
			throw refused(ex.getMessage());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The replica a restore reads: the only candidate, or of several the one whose newest
	 * backup is the most recent, as on boot; for a timestamp, of those that hold it (one with a
	 * shorter retention may be more recent).
	 */
	private static Replica choose(ReplicatedDatabase database, List<Replica> replicas, RestoreOptions options)
			throws IOException {
		if (replicas.size() == 1) {
			return replicas.get(0);
		}
		List<Candidate<Replica>> candidates = new ArrayList<>();
		RestoreException noneHoldsIt = null;
		for (Replica replica : replicas) {
			if (options.timestamp() != null) {
				try {
					new RestorePlanner(replica.client()).plan(options);
				}
				catch (RestoreException ex) {
					noneHoldsIt = (noneHoldsIt != null) ? noneHoldsIt : ex;
					continue;
				}
			}
			candidates.add(ReplicaChooser.list(replica, replica.name(), replica.client(), replicas.size()));
		}
		List<Candidate<Replica>> ranked = ReplicaChooser.rank(options.outputPath(), candidates);
		if (ranked.isEmpty()) {
			throw (noneHoldsIt != null) ? noneHoldsIt
					: new RestoreException("No replica of " + database.path() + " holds a backup");
		}
		return ranked.get(0).replica();
	}

	private Path sideFile(Path database) {
		// By default a hidden directory beside the database: the side file is no new database
		// of a directory entry whose pattern it would match (a hidden directory is not walked).
		Path directory = (this.properties.getRestore().getDirectory() != null)
				? this.properties.getRestore().getDirectory() : database.getParent().resolve(".litestream-restored");
		String name = database.getFileName().toString().replaceFirst("\\.db$", "");
		return directory.toAbsolutePath()
			.normalize()
			.resolve(name + "-restored-" + SIDE_FILE_TIME.format(this.clock.instant()) + ".db");
	}

	/**
	 * Validates replicas now, one after the other.
	 * @param database the database
	 * @param replicas the replicas to validate
	 * @return each outcome
	 */
	ValidationsDescriptor validate(ReplicatedDatabase database, List<Replica> replicas) {
		if (!this.properties.getValidate().isEnabled()) {
			throw disabled("validate", "management.endpoint.litestream.validate.enabled");
		}
		List<ReplicaValidationDescriptor> results = new ArrayList<>();
		for (Replica replica : replicas) {
			results.add(validate(replica));
		}
		return new ValidationsDescriptor(database.path().toString(), results);
	}

	private ReplicaValidationDescriptor validate(Replica replica) {
		try {
			ReplicaStatus.ValidationResult result = this.litestream.validateNow(replica)
				.get(VALIDATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			return new ReplicaValidationDescriptor(replica.name(), result.matched(),
					LitestreamEndpoint.format(result.position()), result.detail(), null);
		}
		catch (ExecutionException ex) {
			String message = (ex.getCause() != null) ? ex.getCause().getMessage() : ex.getMessage();
			return new ReplicaValidationDescriptor(replica.name(), false, null, null, message);
		}
		catch (TimeoutException ex) {
			return new ReplicaValidationDescriptor(replica.name(), false, null, null,
					"Still running after " + VALIDATION_TIMEOUT.toMinutes() + " min");
		}
		catch (IllegalStateException ex) {
			return new ReplicaValidationDescriptor(replica.name(), false, null, null, ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new ReplicaValidationDescriptor(replica.name(), false, null, null, "Interrupted");
		}
	}

	private static InvalidEndpointRequestException disabled(String operation, String property) {
		logger.warn("The '{}' operation of the litestream endpoint was requested but is disabled ({}=false)",
				operation, property);
		return refused("The '" + operation + "' operation is disabled: set " + property + "=true to enable it");
	}

	/**
	 * A 400 whose reason is the whole message: Spring Boot shows it in the response body when
	 * {@code spring.web.error.include-message=always}; it is logged at WARN either way.
	 */
	private static InvalidEndpointRequestException refused(String message) {
		return new InvalidEndpointRequestException(message, message);
	}

	/**
	 * A restore into a side file.
	 *
	 * @param database the live database, untouched
	 * @param replica the replica read
	 * @param output the new side file
	 * @param generation the generation restored
	 * @param snapshot the snapshot's index, in hex
	 * @param index the last WAL index applied, in hex
	 * @param bytes compressed bytes read
	 * @param elapsedMillis how long it took
	 */
	public record RestoreDescriptor(String database, String replica, String output, String generation, String snapshot,
			String index, long bytes, long elapsedMillis) implements OperationResponseBody {
	}

	/**
	 * Validations of a database's replicas.
	 *
	 * @param database the database
	 * @param replicas the outcome per replica
	 */
	public record ValidationsDescriptor(String database, List<ReplicaValidationDescriptor> replicas)
			implements OperationResponseBody {
	}

	/**
	 * One replica's validation.
	 *
	 * @param name the replica
	 * @param matched whether the restored replica equals the database at the position
	 * @param position the position compared
	 * @param detail the checksums compared
	 * @param error why it could not be validated, or {@code null}
	 */
	public record ReplicaValidationDescriptor(String name, boolean matched, @Nullable String position,
			@Nullable String detail, @Nullable String error) {
	}

}
