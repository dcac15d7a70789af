package io.github.litestream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.github.litestream.lease.ReplicaLease;

/**
 * The leases an engine abandoned (a database removed while a replica's upload was still under
 * way), by replica location, while a write of theirs may still land. The stored lease is this
 * instance's own, so registering the database again takes it over at once, as one holding:
 * its first write must wait for those late writes, as a takeover from a holder that did not
 * release waits for that holder's. An abandoned lease stops writing at once, so its last check
 * is known; its successor writes no sooner than two safety margins after it, the room such a
 * takeover leaves between the old holder's last check and the new holder's first write.
 */
final class AbandonedLeases {

	/** The monotonic clock of the engine's leases: the moments below are on it. */
	private final LongSupplier nanoTime;

	/** When a write of each abandoned lease may last land, by {@link #nanoTime}. */
	private final Map<String, Long> landBy = new ConcurrentHashMap<>();

	AbandonedLeases(LongSupplier nanoTime) {
		this.nanoTime = nanoTime;
	}

	/** Stops a lease's writes at once, leaving it to expire, and remembers it for a while. */
	void abandon(String location, ReplicaLease lease) {
		lease.abandon();
		long now = this.nanoTime.getAsLong();
		this.landBy.values().removeIf((at) -> at - now <= 0);
		this.landBy.put(location, now + 2 * lease.options().safetyMargin().toNanos());
	}

	/**
	 * Leaves a lease to expire that has not written yet, as its first write still waits for the
	 * last writes of the lease it took over: its successor here waits as long.
	 */
	void leaveUnwritten(String location, ReplicaLease lease) {
		long writableFrom = this.nanoTime.getAsLong() + lease.untilWritable().toNanos();
		lease.abandon();
		this.landBy.merge(location, writableFrom, (earlier, later) -> (earlier - later > 0) ? earlier : later);
	}

	/**
	 * Makes a new lease, not taken yet, wait for an abandoned one of its replica, if any. Kept
	 * until its time is over: a successor that gives the lease up before it (a registration
	 * that failed) leaves the next one to wait as well.
	 */
	void succeed(String location, ReplicaLease lease) {
		Long at = this.landBy.get(location);
		if (at != null && at - this.nanoTime.getAsLong() > 0) {
			lease.firstWriteNoSoonerThan(at);
		}
	}

}
