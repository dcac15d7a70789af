package io.github.litestream;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.ReplicaLease;

/**
 * The {@link StaleFileGuard} of every leased database of an engine.
 */
final class StaleFileGuards {

	private final Map<ReplicatedDatabase, StaleFileGuard> guards = new ConcurrentHashMap<>();

	/**
	 * The guard of a database being registered, created with its first leased replica; notes
	 * each of its leases, in order.
	 */
	StaleFileGuard of(ReplicatedDatabase database, ReplicaLease lease, String replica, String location, Clock clock,
			Consumer<ReplicatedDatabase> onStale) {
		StaleFileGuard guard = this.guards.computeIfAbsent(database,
				(db) -> new StaleFileGuard(db.path(), clock, (stale) -> onStale.accept(db)));
		guard.expect(lease, replica, location);
		return guard;
	}

	/**
	 * Says when a leased database's file is compared with its replicas; before its leases are
	 * taken. Does nothing for a database without leases.
	 */
	void check(ReplicatedDatabase database, FileCheck check) {
		StaleFileGuard guard = this.guards.get(database);
		if (guard != null) {
			guard.check(check);
		}
	}

	/** Reads where a leased database's file stands, before the engine first opens it. */
	void capture(ReplicatedDatabase database) {
		StaleFileGuard guard = this.guards.get(database);
		if (guard != null) {
			guard.capture();
		}
	}

	/** A database's file, if it was found stale. */
	Optional<StaleFile> stale(ReplicatedDatabase database) {
		return Optional.ofNullable(this.guards.get(database)).flatMap(StaleFileGuard::stale);
	}

	/** What a database's writes wait for, if its file awaits a comparison. */
	Optional<AwaitedComparison> awaiting(ReplicatedDatabase database) {
		return Optional.ofNullable(this.guards.get(database)).flatMap(StaleFileGuard::awaiting);
	}

	/** Forgets a database that is no longer replicated. */
	void remove(ReplicatedDatabase database) {
		this.guards.remove(database);
	}

}
