package io.github.litestream;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.lease.ReplicaLease;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews leases taken ahead of the engine that will hold them (a standby's, those of a
 * restore-on-boot) every third of their ttl, on one daemon thread, until they are handed over.
 * A renewal that fails (the store did not answer) is tried again at the next interval, which
 * takes our own record back, as the engine's renewals do. A lease that another instance took is
 * reported once, with a WARN and to the caller; whether it is still renewed is the caller's
 * choice (a renewal never takes back a lease another instance held: see {@link ReplicaLease}).
 */
final class LeaseRenewals {

	private static final Logger logger = LoggerFactory.getLogger(LeaseRenewals.class);

	private final String threadName;

	private final boolean stopWhenLost;

	private final BiConsumer<ReplicaLease, LeaseStatus> lost;

	private final Map<ReplicaLease, ScheduledFuture<?>> renewals = new LinkedHashMap<>();

	/** Leases reported lost and not held again since, so that each loss is reported once. */
	private final Set<ReplicaLease> reportedLost = new HashSet<>();

	private @Nullable ScheduledThreadPoolExecutor renewer;

	private boolean stopped;

	/**
	 * Creates renewals; no thread runs until the first lease is added.
	 * @param threadName the renewing thread's name prefix
	 * @param stopWhenLost whether a lease that another instance took is no longer renewed
	 * @param lost told, on the renewing thread, when another instance took a lease
	 */
	LeaseRenewals(String threadName, boolean stopWhenLost, BiConsumer<ReplicaLease, LeaseStatus> lost) {
		this.threadName = threadName;
		this.stopWhenLost = stopWhenLost;
		this.lost = lost;
	}

	/**
	 * Renews a lease just taken, from one renewal interval on.
	 * @param replica the replica's name, for the log
	 * @param lease the lease
	 */
	synchronized void renew(String replica, ReplicaLease lease) {
		if (this.stopped) {
			throw new IllegalStateException("The leases were handed over already");
		}
		if (this.renewer == null) {
			this.renewer = new ScheduledThreadPoolExecutor(1, EngineScheduler.daemons(this.threadName));
		}
		long interval = lease.options().renewInterval().toMillis();
		this.renewals.put(lease,
				this.renewer.scheduleWithFixedDelay(() -> renewOnce(replica, lease), interval, interval, TimeUnit.MILLISECONDS));
	}

	/**
	 * Stops renewing one lease (it is being given back).
	 * @param lease the lease
	 */
	synchronized void cancel(ReplicaLease lease) {
		ScheduledFuture<?> renewal = this.renewals.remove(lease);
		if (renewal != null) {
			renewal.cancel(false);
		}
	}

	/**
	 * Stops renewing every lease, and waits for a renewal under way, so that none writes once
	 * this returns. Calling it again does nothing.
	 */
	void stop() {
		ScheduledThreadPoolExecutor running;
		synchronized (this) {
			this.stopped = true;
			running = this.renewer;
		}
		if (running != null) {
			// Periodic tasks are cancelled; one under way finishes first.
			running.shutdown();
			try {
				running.awaitTermination(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private void renewOnce(String replica, ReplicaLease lease) {
		try {
			// Never throws: a failed renewal fences the lease, and the next one takes it back.
			if (lease.renew() == LeaseRole.PRIMARY) {
				forgetLoss(lease);
				return;
			}
			LeaseStatus status = lease.status();
			if (!status.lost()) {
				logger.debug("The lease of replica '{}', taken ahead of its engine, could not be renewed ({}); trying "
						+ "again in {}", replica, status.fencedReason(), lease.options().renewInterval());
				return;
			}
			if (firstReportOf(lease)) {
				logger.warn("The lease of replica '{}', which this instance held ahead of its engine, is lost: {}",
						replica, status.fencedReason());
				this.lost.accept(lease, status);
			}
			if (this.stopWhenLost) {
				cancel(lease);
			}
		}
		catch (RuntimeException ex) {
			// A scheduled task that throws is never run again: the lease would lapse silently.
			logger.warn("The lease of replica '{}', taken ahead of its engine, could not be renewed: {}", replica,
					ex.toString());
		}
	}

	private synchronized boolean firstReportOf(ReplicaLease lease) {
		return this.reportedLost.add(lease);
	}

	private synchronized void forgetLoss(ReplicaLease lease) {
		this.reportedLost.remove(lease);
	}

}
