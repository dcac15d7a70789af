package io.github.litestream.boot.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.litestream.Litestream;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaListener;
import io.github.litestream.replica.SnapshotInfo;

/**
 * Measures how far each replica is behind its database, in time.
 *
 * <p><b>Lag</b> is the age of the oldest committed change that the replica does not hold yet:
 * zero while the replica's position equals the database's position, otherwise the time since
 * the database first moved past what the replica holds. It is what an operator would lose, in
 * seconds of history, if the disk died now. It is accurate to about one monitor interval: the
 * database's move is noticed when the monitor copies the WAL into the shadow WAL, and the
 * catch-up when the replica stores a segment. A replica that keeps failing therefore shows a
 * growing lag, while an idle database shows none however long ago its last sync was. A replica
 * whose position is unknown (before its first sync, after a failure) counts as behind.
 *
 * <p>Databases are registered with the engine when replication starts, which can be after
 * this tracker exists: {@link #attach()} is idempotent and picks up whatever is new.
 */
public final class ReplicaLagTracker {

	private final Litestream litestream;

	private final Clock clock;

	private final Set<Object> attached = ConcurrentHashMap.newKeySet();

	/** When each lagging replica fell behind; absent while it is caught up. */
	private final Map<Replica, Instant> behindSince = new ConcurrentHashMap<>();

	/**
	 * Creates a tracker.
	 * @param litestream the engine whose replicas are tracked
	 * @param clock the clock lag is measured with
	 */
	public ReplicaLagTracker(Litestream litestream, Clock clock) {
		this.litestream = Objects.requireNonNull(litestream, "litestream");
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	/**
	 * Creates a tracker that follows the engine's databases: those replicating now, those the
	 * engine starts or adds later (before they replicate), and those removed (at once, not at
	 * the next registration, which may never come).
	 * @param litestream the engine whose replicas are tracked
	 * @param clock the clock lag is measured with
	 * @return the tracker
	 */
	public static ReplicaLagTracker following(Litestream litestream, Clock clock) {
		ReplicaLagTracker tracker = new ReplicaLagTracker(litestream, clock);
		tracker.attach();
		litestream.onStarting(tracker::attach);
		litestream.onRemoved((database) -> tracker.attach());
		return tracker;
	}

	/**
	 * Starts listening to the databases and replicas registered since the last call, and
	 * forgets those unregistered since (tenants come and go: nothing of theirs is kept).
	 * Synchronized: a removal calls it outside the engine's lock, beside a registration.
	 */
	public synchronized void attach() {
		Set<Object> registered = new HashSet<>();
		for (ReplicatedDatabase database : this.litestream.databases()) {
			registered.add(database);
			if (this.attached.add(database)) {
				database.addListener(new DatabaseMoved(database));
			}
			for (Replica replica : this.litestream.replicas(database)) {
				registered.add(replica);
				if (this.attached.add(replica)) {
					replica.addListener(new ReplicaShipped(replica));
				}
			}
		}
		this.attached.retainAll(registered);
		this.behindSince.keySet().retainAll(registered);
	}

	/**
	 * How many databases and replicas the tracker listens to.
	 * @return their number
	 */
	int tracked() {
		return this.attached.size();
	}

	/**
	 * The replica's current lag (see the class documentation).
	 * @param replica a replica of the engine
	 * @return the lag, zero when caught up
	 */
	public Duration lag(Replica replica) {
		Instant now = this.clock.instant();
		if (isCaughtUp(replica)) {
			this.behindSince.remove(replica);
			return Duration.ZERO;
		}
		Instant since = this.behindSince.computeIfAbsent(replica, (key) -> now);
		return since.isBefore(now) ? Duration.between(since, now) : Duration.ZERO;
	}

	private static boolean isCaughtUp(Replica replica) {
		Optional<Pos> target = replica.database().position();
		return target.isEmpty() || target.equals(replica.position());
	}

	private void observe(Replica replica) {
		if (isCaughtUp(replica)) {
			this.behindSince.remove(replica);
		}
		else {
			this.behindSince.putIfAbsent(replica, this.clock.instant());
		}
	}

	private final class DatabaseMoved implements DatabaseListener {

		private final ReplicatedDatabase database;

		DatabaseMoved(ReplicatedDatabase database) {
			this.database = database;
		}

		@Override
		public void onSync(Duration duration, long bytes) {
			ReplicaLagTracker.this.litestream.replicas(this.database).forEach(ReplicaLagTracker.this::observe);
		}

	}

	private final class ReplicaShipped implements ReplicaListener {

		private final Replica replica;

		ReplicaShipped(Replica replica) {
			this.replica = replica;
		}

		@Override
		public void onWalSegment(Pos start, long bytes, Duration duration) {
			observe(this.replica);
		}

		@Override
		public void onSnapshot(SnapshotInfo snapshot, Duration duration) {
			observe(this.replica);
		}

	}

}
