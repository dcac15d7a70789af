package io.github.litestream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.github.litestream.lease.ReplicaLease;
import org.jspecify.annotations.Nullable;

/**
 * When a {@link LeaseKeeper}'s leases are renewed: each every third of its ttl, on a pool of at
 * most a few daemon threads (a renewal is one small request, so a few threads serve thousands
 * of leases), created with the first renewal, so that an engine without leases has no such
 * thread. The keeper decides which leases are renewed; this keeps their schedule.
 */
final class LeaseRenewalSchedule {

	private final Consumer<Leased> renew;

	private final Map<ReplicaLease, ScheduledFuture<?>> renewals = new ConcurrentHashMap<>();

	private @Nullable ScheduledThreadPoolExecutor renewer;

	private boolean started;

	private int maxThreads = 1;

	/**
	 * @param renew what a renewal does, on a renewal thread
	 */
	LeaseRenewalSchedule(Consumer<Leased> renew) {
		this.renew = renew;
	}

	/**
	 * Starts the renewals of every lease the keeper renews (the engine started).
	 * @param maxThreads at most how many threads renew
	 * @return {@code false} if they had started already
	 */
	synchronized boolean start(int maxThreads) {
		if (this.started) {
			return false;
		}
		this.started = true;
		this.maxThreads = Math.max(1, maxThreads);
		if (this.renewer != null) {
			this.renewer.setCorePoolSize(this.maxThreads);
		}
		return true;
	}

	/** Whether renewals started and were not stopped since (the engine runs). */
	synchronized boolean started() {
		return this.started;
	}

	/** Renews a lease from one renewal interval on, unless it is renewed already. */
	synchronized void schedule(Leased leased) {
		if (this.renewals.containsKey(leased.lease)) {
			return;
		}
		if (this.renewer == null) {
			this.renewer = new ScheduledThreadPoolExecutor(this.maxThreads,
					EngineScheduler.daemons("litestream-lease"));
		}
		long interval = leased.lease.options().renewInterval().toMillis();
		this.renewals.put(leased.lease, this.renewer.scheduleWithFixedDelay(() -> this.renew.accept(leased), interval,
				interval, TimeUnit.MILLISECONDS));
	}

	synchronized void cancel(Leased leased) {
		ScheduledFuture<?> renewal = this.renewals.remove(leased.lease);
		if (renewal != null) {
			renewal.cancel(false);
		}
	}

	/**
	 * Stops every renewal; one under way may still run: {@link #awaitStopped} waits for it.
	 * @return the threads that renewed, or {@code null} if none was created
	 */
	synchronized @Nullable ScheduledThreadPoolExecutor stop() {
		ScheduledThreadPoolExecutor stopped = this.renewer;
		this.renewer = null;
		this.renewals.clear();
		this.started = false;
		return stopped;
	}

	/** Waits (briefly) for the renewals under way on threads {@link #stop stopped}. */
	static void awaitStopped(@Nullable ScheduledThreadPoolExecutor stopped) {
		if (stopped == null) {
			return;
		}
		stopped.shutdown();
		try {
			stopped.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
