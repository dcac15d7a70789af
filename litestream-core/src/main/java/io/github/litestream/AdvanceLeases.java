package io.github.litestream;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.lease.LeaseFencedException;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ReplicaClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases taken in advance of the engine that will hold them, and renewed until it takes them
 * over. A restore-on-boot reads its replicas under them: another instance that still wrote to
 * the generation being restored would move it on past the restored point, and the engine,
 * finding its file behind the replica, would start a new generation from it, leaving that
 * instance's last commits behind in the old one. Under the lease nobody writes, and a
 * restore that cannot have the lease does not start, so no file is left on disk.
 *
 * <p>The engine must hold its leases as the same {@link LeaseHolder}: taking its own lease,
 * neither released nor expired, is a handover within one holding (the same epoch, no new
 * generation). Call {@link #handOver()} right before it does, so that the two never write
 * the lease at once; {@link #close()} gives back what was never handed over.
 */
public final class AdvanceLeases implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(AdvanceLeases.class);

	private final LeaseHolder holder;

	private final Clock clock;

	/** Every lease taken and not given back. */
	private final List<ReplicaLease> taken = new ArrayList<>();

	/** The stores leases were written to, whose locations a start that failed removes again. */
	private final List<ConditionalObjects> stores = new ArrayList<>();

	/**
	 * One thread for every lease: a renewal is one small request. A lease another instance took
	 * is reported (a WARN) and stays fenced: that instance may have written past what was
	 * restored (see {@link ReplicaLease}).
	 */
	private final LeaseRenewals renewals = new LeaseRenewals("litestream-lease-advance", false, (lease, status) -> {
	});

	private boolean stopped;

	/**
	 * Creates an empty set of leases.
	 * @param holder who the engine that takes them over is in its leases
	 * @param clock the wall clock
	 */
	public AdvanceLeases(LeaseHolder holder, Clock clock) {
		this.holder = holder;
		this.clock = clock;
	}

	/**
	 * Takes the leases of one database's replicas in order, as the engine does at its start
	 * (waiting, at most about one ttl, for a holder that stopped renewing), and renews each
	 * from the moment it is taken. The targets' clients must stay open until the leases are
	 * handed over or given back.
	 * @param targets the database's replicas
	 * @param options the database's lease
	 * @return whether another instance held one of them before (it may have written to the
	 * replica: see {@link ReplicaLease#lastAcquisitionFollowedAnother()})
	 * @throws io.github.litestream.lease.LeaseHeldException if a live instance holds one
	 * @throws io.github.litestream.lease.LeaseUnsupportedException if a store cannot keep one
	 * @throws IOException if a store cannot be read or written; the leases taken for this
	 * database are then given back
	 */
	public synchronized boolean take(List<ReplicationTarget> targets, LeaseOptions options) throws IOException {
		if (this.stopped) {
			throw new IllegalStateException("The leases were handed over already");
		}
		List<ReplicaLease> ofDatabase = new ArrayList<>();
		boolean followedAnother = false;
		try {
			for (ReplicationTarget target : targets) {
				ReplicaClient client = target.client();
				client.conditionalObjects().ifPresent(this.stores::add);
				ReplicaLease lease = new ReplicaLease(target.options().name(), client.location(),
						client.conditionalObjects().orElse(null), options, this.holder, this.clock);
				lease.acquire();
				followedAnother |= lease.lastAcquisitionFollowedAnother();
				ofDatabase.add(lease);
				this.taken.add(lease);
				this.renewals.renew(target.options().name(), lease);
				logger.debug("Replica '{}' ({}) is leased ahead of the engine", target.options().name(),
						client.location());
			}
			return followedAnother;
		}
		catch (IOException | RuntimeException ex) {
			for (ReplicaLease lease : ofDatabase) {
				this.renewals.cancel(lease);
				this.taken.remove(lease);
				lease.release();
			}
			throw ex;
		}
	}

	/**
	 * Stops renewing, keeping every lease held, for the engine to take over; waits for a
	 * renewal under way, so that none writes once this returns. A lease taken from a holder
	 * that did not release it is handed over only once that holder's last writes had time to
	 * land ({@link ReplicaLease#untilWritable()}): the engine takes it over without waiting.
	 * Usually that passed during the restore already.
	 * @throws LeaseFencedException if another instance took one of the leases meanwhile: it may
	 * have written past what was restored, so the engine must not start on that file (its next
	 * start sets the file aside and restores); every lease is given back first
	 */
	public void handOver() throws LeaseFencedException {
		awaitLastWritesOfPreviousHolders();
		stop(false);
		List<ReplicaLease> taken;
		synchronized (this) {
			taken = List.copyOf(this.taken);
		}
		for (ReplicaLease lease : taken) {
			if (lease.status().lost()) {
				try {
					// Throws, naming who holds it now.
					lease.checkWritable();
				}
				finally {
					taken.forEach(ReplicaLease::release);
				}
			}
		}
	}

	private void awaitLastWritesOfPreviousHolders() {
		List<ReplicaLease> taken;
		synchronized (this) {
			taken = List.copyOf(this.taken);
		}
		for (ReplicaLease lease : taken) {
			Duration wait = lease.untilWritable();
			if (!wait.isZero()) {
				logger.info("Waiting {} before the engine writes: a lease was taken from an instance that did not "
						+ "release it, and its last writes may still land", wait);
			}
			while (!wait.isZero() && !Thread.currentThread().isInterrupted()) {
				LockSupport.parkNanos(wait.toNanos());
				wait = lease.untilWritable();
			}
		}
	}

	/** Whether another instance took one of the leases since it was taken here. */
	synchronized boolean anyLost() {
		return this.taken.stream().anyMatch((lease) -> lease.status().lost());
	}

	/**
	 * Gives back every lease not handed over (a startup that failed before the engine ran), and
	 * removes a replica location that taking them created (see
	 * {@link ConditionalObjects#removeCreatedLocation()}).
	 */
	@Override
	public void close() {
		stop(true);
	}

	private void stop(boolean release) {
		synchronized (this) {
			if (this.stopped) {
				return;
			}
			this.stopped = true;
		}
		// Waits for a renewal under way: none writes the lease after this.
		this.renewals.stop();
		if (release) {
			synchronized (this) {
				this.taken.forEach(ReplicaLease::release);
				this.stores.forEach(AdvanceLeases::removeCreatedLocation);
			}
		}
	}

	private static void removeCreatedLocation(ConditionalObjects store) {
		try {
			store.removeCreatedLocation();
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Could not remove the replica location a failed start created: {}", ex.toString());
		}
	}

}
