package io.github.litestream.boot.actuate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.boot.autoconfigure.ReplicaOperationListenerFactory;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Counts the requests every replica client makes, per database, replica and
 * {@link ReplicaOperation}, for the {@code litestream.replica.operations} and
 * {@code litestream.replica.operation.bytes} meters.
 *
 * <p>Replica clients are created with their {@link ReplicaOperationListener} before any meter
 * registry exists, so counting and publishing are separate: the listeners from
 * {@link #listenerFor(Path, String)} only add to in-memory counters, and
 * {@link LitestreamMetrics} publishes those counters as function counters when it is bound.
 * This class depends on nothing but the engine, so the code that creates replica clients can
 * use it whether or not Micrometer is present.
 */
public final class ReplicaOperationMetrics implements ReplicaOperationListenerFactory {

	private final Map<Key, Counts> counts = new ConcurrentHashMap<>();

	private final List<Runnable> onNewReplica = new CopyOnWriteArrayList<>();

	/**
	 * The listener to give the client of one replica.
	 * @param database the database file (normalised to the absolute path the engine reports)
	 * @param replicaName the replica's name
	 * @return a listener counting that replica's requests
	 */
	@Override
	public ReplicaOperationListener listenerFor(Path database, String replicaName) {
		Key key = new Key(database.toAbsolutePath().normalize().toString(), Objects.requireNonNull(replicaName));
		Counts replicaCounts = this.counts.computeIfAbsent(key, (k) -> new Counts());
		this.onNewReplica.forEach(Runnable::run);
		return (operation, bytes) -> replicaCounts.add(operation, bytes);
	}

	/**
	 * The counters of every replica seen so far.
	 * @return counters by database and replica
	 */
	Map<Key, Counts> counts() {
		return this.counts;
	}

	/**
	 * Forgets the counters of a database's replicas.
	 * @param database the database's absolute path
	 * @return the counters forgotten
	 */
	List<Counts> remove(String database) {
		List<Counts> removed = new ArrayList<>();
		this.counts.entrySet()
			.removeIf((entry) -> entry.getKey().database().equals(database) && removed.add(entry.getValue()));
		return removed;
	}

	/**
	 * Runs an action whenever a replica is added, so meters can be registered for it.
	 * @param action the action
	 */
	void onNewReplica(Runnable action) {
		this.onNewReplica.add(action);
	}

	/**
	 * Identifies one replica.
	 *
	 * @param database the database's absolute path
	 * @param replica the replica's name
	 */
	record Key(String database, String replica) {
	}

	/**
	 * Request and byte counts of one replica, by operation.
	 */
	static final class Counts {

		private final Map<ReplicaOperation, LongAdder> requests = new EnumMap<>(ReplicaOperation.class);

		private final Map<ReplicaOperation, LongAdder> bytes = new EnumMap<>(ReplicaOperation.class);

		Counts() {
			for (ReplicaOperation operation : ReplicaOperation.values()) {
				this.requests.put(operation, new LongAdder());
				this.bytes.put(operation, new LongAdder());
			}
		}

		void add(ReplicaOperation operation, long payload) {
			this.requests.get(operation).increment();
			this.bytes.get(operation).add(Math.max(0, payload));
		}

		double requests(ReplicaOperation operation) {
			return this.requests.get(operation).sum();
		}

		double bytes(ReplicaOperation operation) {
			return this.bytes.get(operation).sum();
		}

	}

}
