package io.github.litestream;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.replica.Replica;

/**
 * The bookkeeping of synchronous waits on one database, which lets any number of waiting
 * commits share one WAL copy and one upload per replica (group commit).
 *
 * <p>Each wait takes a request number. A replica's thread reads the newest request number
 * <em>before</em> it copies the WAL, so every commit of those requests is in the copy; once
 * the replica holds the copy, it marks that number stored. A wait is over when enough
 * replicas stored a number at least its own.
 */
final class CommitWaits {

	private final AtomicLong requested = new AtomicLong();

	/** When the last of the waits so far gives up ({@link System#nanoTime()}). */
	private final AtomicLong waitedUntil = new AtomicLong(System.nanoTime());

	/** The highest request number each replica stored; guarded by itself. */
	private final Map<Replica, Long> stored = new HashMap<>();

	/**
	 * Starts a wait.
	 * @param deadline when it gives up ({@link System#nanoTime()})
	 * @return its request number
	 */
	long request(long deadline) {
		this.waitedUntil.accumulateAndGet(deadline, (until, next) -> (next - until > 0) ? next : until);
		return this.requested.incrementAndGet();
	}

	/**
	 * The newest request number, read by a replica's thread before it copies the WAL.
	 * @return the number, 0 if nobody ever waited
	 */
	long requested() {
		return this.requested.get();
	}

	/**
	 * Whether a replica has waits it has not served yet and that have not given up: a failing
	 * replica is retried for them, and only for as long as one still waits.
	 * @param replica the replica
	 * @return {@code true} if some wait still needs it
	 */
	boolean pending(Replica replica) {
		if (this.waitedUntil.get() - System.nanoTime() <= 0) {
			return false;
		}
		synchronized (this.stored) {
			return this.stored.getOrDefault(replica, 0L) < this.requested.get();
		}
	}

	/**
	 * Records that a replica holds every commit of the waits up to {@code request}.
	 * @param replica the replica
	 * @param request the number read before the WAL was copied
	 * @return how many waits this served that it had not served before (a group's size)
	 */
	long stored(Replica replica, long request) {
		synchronized (this.stored) {
			long previous = this.stored.getOrDefault(replica, 0L);
			if (request <= previous) {
				return 0;
			}
			this.stored.put(replica, request);
			this.stored.notifyAll();
			return request - previous;
		}
	}

	/**
	 * Waits until {@code required} of {@code replicas} stored {@code request}.
	 * @param request the wait's number
	 * @param required how many replicas must have stored it
	 * @param replicas the database's replicas
	 * @param timeoutNanos how long to wait at most
	 * @return how many replicas stored it when the wait ended
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	int await(long request, int required, Collection<Replica> replicas, long timeoutNanos)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeoutNanos;
		synchronized (this.stored) {
			int count = count(request, replicas);
			while (count < required) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					break;
				}
				TimeUnit.NANOSECONDS.timedWait(this.stored, remaining);
				count = count(request, replicas);
			}
			return count;
		}
	}

	private int count(long request, Collection<Replica> replicas) {
		int count = 0;
		for (Replica replica : replicas) {
			if (this.stored.getOrDefault(replica, 0L) >= request) {
				count++;
			}
		}
		return count;
	}

}
