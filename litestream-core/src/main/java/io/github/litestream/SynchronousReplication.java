package io.github.litestream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.litestream.ReplicationWait.Outcome;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for commits to reach replicas: a waiting commit wakes every replica thread of its
 * database at once (no sync interval to wait for), and all commits waiting meanwhile share
 * the copy and upload that follows (see {@link CommitWaits}).
 */
final class SynchronousReplication {

	private static final Logger logger = LoggerFactory.getLogger(SynchronousReplication.class);

	private final Map<ReplicatedDatabase, CommitWaits> waits = new ConcurrentHashMap<>();

	private final List<ReplicationWaitListener> listeners = new CopyOnWriteArrayList<>();

	void addListener(ReplicationWaitListener listener) {
		this.listeners.add(listener);
	}

	private CommitWaits of(ReplicatedDatabase database) {
		return this.waits.computeIfAbsent(database, (key) -> new CommitWaits());
	}

	/**
	 * The number of the last wait begun on a database, to read before its WAL is copied.
	 * @param database the database
	 * @return the number, 0 if nothing ever waited (no record is made for it)
	 */
	long requested(ReplicatedDatabase database) {
		CommitWaits waits = this.waits.get(database);
		return (waits != null) ? waits.requested() : 0;
	}

	/**
	 * Whether a wait on the database still needs this replica.
	 * @param database the database
	 * @param replica one of its replicas
	 * @return {@code true} if a wait is pending on it
	 */
	boolean pending(ReplicatedDatabase database, Replica replica) {
		CommitWaits waits = this.waits.get(database);
		return waits != null && waits.pending(replica);
	}

	/**
	 * Forgets a detached database: a wait still running on it times out.
	 * @param database the database
	 */
	void forget(ReplicatedDatabase database) {
		this.waits.remove(database);
	}

	/** How many databases have waits on record. */
	int tracked() {
		return this.waits.size();
	}

	/**
	 * Waits until every commit made so far on {@code database} is stored in enough replicas.
	 * @param database the database
	 * @param replicas its replicas
	 * @param tasks their running threads; empty when replication is not running
	 * @param quorum how many replicas must hold the commits
	 * @param timeout how long to wait at most
	 * @return the outcome
	 */
	ReplicationWait await(ReplicatedDatabase database, List<Replica> replicas, List<ReplicaTask> tasks,
			ReplicaQuorum quorum, Duration timeout) {
		long started = System.nanoTime();
		int required = quorum.required(replicas.size());
		if (tasks.isEmpty()) {
			return new ReplicationWait(Outcome.NOT_REPLICATING, Duration.ZERO, 0, required);
		}
		CommitWaits waits = of(database);
		long request = waits.request(started + timeout.toNanos());
		tasks.forEach(ReplicaTask::wake);
		int stored;
		Outcome outcome;
		try {
			stored = waits.await(request, required, replicas, timeout.toNanos() - (System.nanoTime() - started));
			outcome = (stored >= required) ? Outcome.REPLICATED : Outcome.TIMED_OUT;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			stored = 0;
			outcome = Outcome.INTERRUPTED;
		}
		ReplicationWait wait = new ReplicationWait(outcome, Duration.ofNanos(System.nanoTime() - started), stored,
				required);
		notify((listener) -> listener.onWait(database, wait));
		return wait;
	}

	/**
	 * Records that a replica holds the commits of every wait up to {@code request}, and wakes
	 * those waits.
	 * @param database the replica's database
	 * @param replica the replica
	 * @param request the request number read before the WAL was copied
	 */
	void stored(ReplicatedDatabase database, Replica replica, long request) {
		CommitWaits waits = this.waits.get(database);
		if (waits == null) {
			return;
		}
		long group = waits.stored(replica, request);
		if (group > 0) {
			notify((listener) -> listener.onGroup(replica, group));
		}
	}

	private void notify(java.util.function.Consumer<ReplicationWaitListener> event) {
		for (ReplicationWaitListener listener : this.listeners) {
			try {
				event.accept(listener);
			}
			catch (RuntimeException ex) {
				logger.debug("A replication wait listener failed: {}", ex.toString());
			}
		}
	}

}
