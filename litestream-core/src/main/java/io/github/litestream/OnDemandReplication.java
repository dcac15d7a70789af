package io.github.litestream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;

import io.github.litestream.Litestream.ReplicaValidation;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaStatus;
import org.jspecify.annotations.Nullable;

/**
 * What a caller asks of the replicas now rather than at their next scheduled step: a sync, a
 * snapshot or a validation of one replica, each run on that replica's own lane so that it never
 * overlaps the replica's other work, and a wait until a database's commits are replicated. The
 * javadoc of each is on {@link Litestream}'s method of the same name.
 */
final class OnDemandReplication {

	private final RegisteredDatabases databases;

	private final ReplicationLanes lanes;

	private final EngineLifecycle lifecycle;

	private final SynchronousReplication synchronous;

	private final @Nullable ReplicaValidation validation;

	OnDemandReplication(RegisteredDatabases databases, ReplicationLanes lanes, EngineLifecycle lifecycle,
			SynchronousReplication synchronous, @Nullable ReplicaValidation validation) {
		this.databases = databases;
		this.lanes = lanes;
		this.lifecycle = lifecycle;
		this.synchronous = synchronous;
		this.validation = validation;
	}

	/** See {@link Litestream#syncNow(Replica)}. */
	Future<ReplicaStatus> syncNow(Replica replica) {
		return this.lanes.task(replica).run(() -> {
			replica.sync();
			return replica.status();
		});
	}

	/** See {@link Litestream#snapshotNow(Replica)}. */
	Future<ReplicaStatus> snapshotNow(Replica replica) {
		return this.lanes.task(replica).snapshotNow();
	}

	/** See {@link Litestream#validateNow(Replica)}. */
	Future<ReplicaStatus.ValidationResult> validateNow(Replica replica) {
		ReplicaValidation validation = this.validation;
		if (validation == null) {
			throw new IllegalStateException("This engine was created without replica validation");
		}
		return this.lanes.task(replica).run(() -> {
			ReplicaStatus.ValidationResult result = validation.validate(replica);
			replica.recordValidation(result);
			return result;
		});
	}

	/** See {@link Litestream#awaitReplicated(ReplicatedDatabase, ReplicaQuorum, Duration)}. */
	ReplicationWait awaitReplicated(ReplicatedDatabase database, ReplicaQuorum quorum, Duration timeout) {
		// Detached meanwhile: committed, as without replication.
		List<Replica> replicas = this.databases.current().getOrDefault(database, List.of());
		List<ReplicaTask> running = (this.lifecycle.closed() || replicas.isEmpty()) ? List.of() : this.lanes.running(replicas);
		return this.synchronous.await(database, replicas, running, quorum, timeout);
	}

}
