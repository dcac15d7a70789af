package io.github.litestream.boot.actuate;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.github.litestream.AwaitedComparison;
import io.github.litestream.Litestream;
import io.github.litestream.StaleFile;
import io.github.litestream.boot.actuate.LitestreamEndpoint.ActionResultDescriptor;
import io.github.litestream.boot.actuate.LitestreamEndpoint.DatabaseDescriptor;
import io.github.litestream.boot.actuate.LitestreamEndpoint.EncryptionDescriptor;
import io.github.litestream.boot.actuate.LitestreamEndpoint.ReplicaDescriptor;
import io.github.litestream.boot.actuate.LitestreamEndpoint.ValidationDescriptor;
import io.github.litestream.db.CheckpointsHeld;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.FencedReplicaClient;
import io.github.litestream.replica.AgeReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaStatus;
import org.jspecify.annotations.Nullable;

/**
 * What {@link LitestreamEndpoint} says of a database and its replicas, and of a sync or
 * snapshot it ran.
 */
final class DatabaseDescriptions {

	private static final Duration ACTION_TIMEOUT = Duration.ofMinutes(1);

	private final Litestream litestream;

	private final ReplicaLagTracker lag;

	DatabaseDescriptions(Litestream litestream, ReplicaLagTracker lag) {
		this.litestream = litestream;
		this.lag = lag;
	}

	/**
	 * A database and its replicas as they are now.
	 * @param database a registered database
	 * @return its description
	 */
	DatabaseDescriptor describe(ReplicatedDatabase database) {
		Pos pos = database.position().orElse(null);
		List<ReplicaDescriptor> replicas = this.litestream.replicas(database).stream().map(this::describe).toList();
		StaleFile stale = this.litestream.staleFile(database).orElse(null);
		AwaitedComparison awaited = this.litestream.awaitedComparison(database).orElse(null);
		return new DatabaseDescriptor(database.path().toString(), (pos != null) ? pos.generation() : null, LitestreamEndpoint.format(pos),
				database.size(), database.walSize(), database.lastCheckpointAt(),
				database.checkpointsHeld().map(CheckpointsHeld::since).orElse(null),
				(stale != null) ? stale.since() : null, (stale != null) ? stale.reason() : null,
				(awaited != null) ? awaited.since() : null, (awaited != null) ? awaited.replica() : null, replicas);
	}

	private ReplicaDescriptor describe(Replica replica) {
		ReplicaStatus status = replica.status();
		ReplicaStatus.ValidationResult validation = status.lastValidation();
		ValidationDescriptor lastValidation = (validation != null) ? new ValidationDescriptor(validation.at(),
				LitestreamEndpoint.format(validation.position()), validation.matched(), validation.detail()) : null;
		return new ReplicaDescriptor(replica.name(), replica.client().type(), replica.client().location(),
				LitestreamEndpoint.format(status.position()), this.lag.lag(replica).toMillis() / 1000.0, status.lastSyncAt(),
				status.lastError(), status.lastErrorAt(), status.failingSince(),
				Math.max(status.snapshotCount(), 0), status.lastSnapshotAt(), lastValidation, encryption(replica),
				this.litestream.lease(replica).map(LeaseDescriptor::of).orElse(null));
	}

	private static @Nullable EncryptionDescriptor encryption(Replica replica) {
		ReplicaClient client = replica.client();
		if (client instanceof FencedReplicaClient fenced) {
			client = fenced.delegate();
		}
		if (client instanceof AgeReplicaClient age) {
			return new EncryptionDescriptor(age.recipients().stream().map(Object::toString).toList(),
					age.identityCount());
		}
		return null;
	}

	/**
	 * Runs a sync or a snapshot of one replica now, waiting up to a minute.
	 * @param replica the replica
	 * @param action starts it ({@code syncNow} or {@code snapshotNow})
	 * @return where the replica got, or why it did not
	 */
	ActionResultDescriptor run(Replica replica, Function<Replica, Future<ReplicaStatus>> action) {
		try {
			Future<ReplicaStatus> future = action.apply(replica);
			ReplicaStatus status = future.get(ACTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			return new ActionResultDescriptor(replica.name(), LitestreamEndpoint.format(status.position()), null);
		}
		catch (ExecutionException ex) {
			String message = (ex.getCause() != null) ? ex.getCause().getMessage() : ex.getMessage();
			return new ActionResultDescriptor(replica.name(), LitestreamEndpoint.format(replica.position().orElse(null)), message);
		}
		catch (TimeoutException ex) {
			return new ActionResultDescriptor(replica.name(), LitestreamEndpoint.format(replica.position().orElse(null)),
					"Still running after " + ACTION_TIMEOUT.toSeconds() + " s");
		}
		catch (IllegalStateException ex) {
			return new ActionResultDescriptor(replica.name(), null, ex.getMessage());
		}
		catch (RejectedExecutionException ex) {
			// Its database was unregistered or the engine stopped since the request found it.
			return new ActionResultDescriptor(replica.name(), null, "Replication of this database stopped");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new ActionResultDescriptor(replica.name(), null, "Interrupted");
		}
	}

}
