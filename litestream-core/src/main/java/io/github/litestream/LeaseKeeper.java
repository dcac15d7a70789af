package io.github.litestream;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.FencedReplicaClient;
import io.github.litestream.lease.LeaseException;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases of every leased replica of an engine: taken in configuration order at start,
 * renewed on their own threads (never a replica's, which may be busy uploading a snapshot), and
 * released at close after the last write.
 *
 * <p>A fenced replica is leased again only while nobody else held its lease (see
 * {@link ReplicaLease}): once another instance did, it may have written commits this
 * instance's database lacks, and replicating that database again (even as a new generation)
 * would leave them behind. The replica then stays fenced until the application restarts.
 *
 * <p>The keeper's lock guards only its bookkeeping (which leases there are, their renewals): the
 * requests to a store that take, release or renew a lease run outside it, so that one slow store
 * holds up the leases of its own database only. Each lease's own requests are serialized
 * ({@link Leased#calls}): an acquisition still under way when its database is removed ends
 * before the release, and a lease given up is never acquired again. The leases of a database
 * registered while the engine runs are its registration's until it ends ({@link #joining}):
 * taken, and given up if it fails, outside the engine's lock too.
 */
final class LeaseKeeper {

	private static final Logger logger = LoggerFactory.getLogger(LeaseKeeper.class);

	/** The leases of the registered databases, and of those being registered ({@link Leased#joining}). */
	private final List<Leased> leases = new CopyOnWriteArrayList<>();

	/** The leases of databases being removed: still held and renewed, but their removal's to release. */
	private final List<Leased> leaving = new CopyOnWriteArrayList<>();

	private final List<LeaseListener> listeners = new CopyOnWriteArrayList<>();

	/** Each leased database's comparison of its file before the first write. */
	private final StaleFileGuards guards = new StaleFileGuards();

	/** The monotonic clock of every lease of the engine (their write windows, their waits). */
	private final LongSupplier nanoTime;

	private final AbandonedLeases abandoned;

	private final LeaseRenewalSchedule renewals = new LeaseRenewalSchedule(
			(leased) -> leased.renew(this.listeners));

	LeaseKeeper() {
		this(System::nanoTime);
	}

	LeaseKeeper(LongSupplier nanoTime) {
		this.nanoTime = nanoTime;
		this.abandoned = new AbandonedLeases(nanoTime);
	}

	/**
	 * Creates a leased replica: its client asks the lease before every write.
	 * @return the replica
	 */
	Replica leased(ReplicatedDatabase database, ReplicationTarget target, LeaseOptions options, LeaseHolder holder,
			Clock clock) {
		ReplicaClient client = target.client();
		ReplicaLease lease = new ReplicaLease(target.options().name(), client.location(),
				client.conditionalObjects().orElse(null), options, holder, clock, this.nanoTime);
		StaleFileGuard guard = this.guards.of(database, lease, target.options().name(), client.location(), clock,
				this::giveUpStale);
		Replica replica = new Replica(database, new FencedReplicaClient(client, lease,
				() -> guard.checkWritable(lease, target.options().name(), client.location())), target.options(), clock);
		this.leases.add(new Leased(database, replica, lease, guard));
		return replica;
	}

	/**
	 * Whether a replica may be written to now: its lease's verdict and, once the lease allows,
	 * its database file's comparison with it, run here on the replica's lane when due (see
	 * {@link StaleFileGuard}); always if it has no lease.
	 */
	BooleanSupplier writable(Replica replica) {
		return leasedOf(replica).<BooleanSupplier>map(
				(leased) -> () -> leased.lease.allowsWrites() && leased.guard.writable(leased.lease, replica))
			.orElse(() -> true);
	}

	/** The leased databases' file comparisons. */
	StaleFileGuards guards() {
		return this.guards;
	}

	/**
	 * Gives up the leases of a database whose file was found stale, for good: the instance with
	 * the newest state must be able to take them: stored released, so that instance takes them at
	 * once (no replica is written before every comparison is made, see {@link StaleFileGuard});
	 * any whose writes were let through would be left to expire, as a write of its may still land.
	 */
	private void giveUpStale(ReplicatedDatabase database) {
		List<Leased> ofDatabase;
		synchronized (this) {
			ofDatabase = Stream.concat(this.leases.stream(), this.leaving.stream())
				.filter((leased) -> leased.database == database)
				.toList();
			for (Leased leased : ofDatabase) {
				leased.gone = true;
				cancelRenewal(leased);
			}
		}
		for (Leased leased : ofDatabase) {
			if (!leased.guard.letThrough()) {
				releaseOne(leased);
			}
			LeaseStatus status = leased.lease.status();
			this.listeners.forEach((listener) -> listener.onLeaseChanged(database, leased.replica, status));
		}
	}

	void addListener(LeaseListener listener) {
		this.listeners.add(listener);
	}

	Optional<ReplicaLease> of(Replica replica) {
		return leasedOf(replica).map((leased) -> leased.lease);
	}

	private Optional<Leased> leasedOf(Replica replica) {
		return Stream.concat(this.leases.stream(), this.leaving.stream())
			.filter((leased) -> leased.replica == replica)
			.findFirst();
	}

	/**
	 * Takes the leases of the databases an engine's start opens, in registration (configuration)
	 * order, before anything is opened or written. A replica whose store cannot be reached starts
	 * fenced (see {@link ReplicaLease#acquireAtStart()}).
	 * @param databases the databases, registered before the engine started
	 * @param stillWanted runs before each lease is taken, and throws once the start was given up
	 * (each may wait out a crashed holder's ttl)
	 * @throws IOException if a lease is held by another live instance or a store cannot keep
	 * one; those taken before it are the start's to give up (a stopped engine keeps them)
	 */
	void acquireAll(Collection<ReplicatedDatabase> databases, Runnable stillWanted) throws IOException {
		acquire(kept((leased) -> !leased.joining && databases.contains(leased.database)), stillWanted, false);
	}

	/**
	 * Takes the leases of a database registered while the engine runs, and renews them from
	 * then on if renewals have started.
	 */
	void acquire(ReplicatedDatabase database) throws IOException {
		acquire(kept((leased) -> leased.database == database), () -> {
		}, true);
	}

	private synchronized List<Leased> kept(Predicate<Leased> which) {
		return this.leases.stream().filter(which).toList();
	}

	/**
	 * Takes the leases in order, renewing each from the moment it is taken: taking the next one
	 * may wait out a crashed holder's ttl, longer than an unrenewed lease lasts, and another
	 * instance would then take the first.
	 */
	private void acquire(List<Leased> leases, Runnable stillWanted, boolean releaseOnFailure) throws IOException {
		List<Leased> acquired = new ArrayList<>();
		try {
			for (Leased leased : leases) {
				stillWanted.run();
				if (!acquireOne(leased)) {
					continue;
				}
				acquired.add(leased);
				renewFromNow(leased);
				if (leased.lease.status().role() == LeaseRole.PRIMARY) {
					logger.info("Replica '{}' of {} is leased to this instance, epoch {}", leased.replica.name(),
							leased.database.path(), epoch(leased.lease.status()));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			for (Leased leased : releaseOnFailure ? acquired : List.<Leased>of()) {
				cancelRenewal(leased);
				releaseOne(leased);
			}
			throw ex;
		}
	}

	/**
	 * Takes one lease, outside the keeper's lock.
	 * @return {@code false} if its database was removed meanwhile: its release came first
	 */
	private boolean acquireOne(Leased leased) throws LeaseException {
		synchronized (leased.calls) {
			if (leased.gone) {
				return false;
			}
			// Taken again after this engine abandoned it (a removal or a close with an upload under
			// way), or by a new registration of its replica: a write of that upload may yet land.
			this.abandoned.succeed(leased.replica.client().location(), leased.lease);
			leased.lease.acquireAtStart();
			leased.guard.leaseTaken(leased.lease);
			return true;
		}
	}

	/** Releases one lease, outside the keeper's lock, after an acquisition under way. */
	private void releaseOne(Leased leased) {
		synchronized (leased.calls) {
			if (leased.database.closingAfterSnapshot()) {
				// A snapshot upload of a close before (an engine closed and started again, a restart
				// that gave up waiting for it) still reads the file: a write of its may yet land,
				// however long ago the lease was taken again.
				this.abandoned.abandon(leased.replica.client().location(), leased.lease);
			}
			else if (leased.lease.untilWritable().isZero()) {
				leased.lease.release();
			}
			else {
				// Its first write still waits for the last writes of the lease it took over (another
				// holder's, or one this engine abandoned): left to expire, as its release would leave
				// it, and remembered, so that a successor here waits as long.
				this.abandoned.leaveUnwritten(leased.replica.client().location(), leased.lease);
			}
		}
	}

	/**
	 * Renews a lease just taken. One a registration takes while the engine runs is renewed only
	 * while renewals run: after a close, nothing may start their threads again.
	 */
	private synchronized void renewFromNow(Leased leased) {
		if (!leased.gone && (!leased.joining || this.renewals.started())) {
			this.renewals.schedule(leased);
		}
	}

	/**
	 * Starts renewing every lease but those being registered every third of its ttl, on at most
	 * {@code maxThreads} threads.
	 */
	synchronized void startRenewing(int maxThreads) {
		if (this.renewals.start(maxThreads)) {
			this.leases.stream().filter((leased) -> !leased.gone && !leased.joining).forEach(this.renewals::schedule);
		}
	}

	/**
	 * Sets the leases of a database being registered while the engine runs apart, until
	 * {@link #joined}: its registration takes them, and gives them up if it fails; a start, a
	 * close and the renewals' start leave them alone.
	 */
	synchronized void joining(ReplicatedDatabase database) {
		this.leases.stream()
			.filter((leased) -> leased.database == database)
			.forEach((leased) -> leased.joining = true);
	}

	/** Ends {@link #joining}: the database is registered, and its leases are the engine's. */
	synchronized void joined(ReplicatedDatabase database) {
		this.leases.stream()
			.filter((leased) -> leased.database == database)
			.forEach((leased) -> leased.joining = false);
	}

	/**
	 * Sets a database being removed apart: its leases stay held and renewed until its removal
	 * releases or abandons them, and what is done to every lease (a start, a close) leaves them
	 * alone: a close releasing them would fail the removal's deletion of its backups.
	 */
	synchronized void withdraw(ReplicatedDatabase database) {
		List<Leased> ofDatabase = this.leases.stream().filter((leased) -> leased.database == database).toList();
		this.leases.removeAll(ofDatabase);
		this.leaving.addAll(ofDatabase);
	}

	/**
	 * Stops renewing and releases the leases of one database, after its last write, and forgets
	 * them.
	 */
	void release(ReplicatedDatabase database) {
		giveUp(database).forEach(this::releaseOne);
	}

	/**
	 * Stops renewing the leases of one database and writing to them, without releasing them: a
	 * replica step still runs (a write may yet land), so the leases expire after their ttl instead
	 * of letting the next instance write at once, and a registration of it again waits too.
	 */
	void abandon(ReplicatedDatabase database) {
		giveUp(database).forEach(this::abandonOne);
	}

	/** Abandons one lease, outside the keeper's lock, after an acquisition under way (as releaseOne). */
	private void abandonOne(Leased leased) {
		synchronized (leased.calls) {
			this.abandoned.abandon(leased.replica.client().location(), leased.lease);
		}
	}

	/** Forgets a database's leases: never acquired or renewed again. */
	private synchronized List<Leased> giveUp(ReplicatedDatabase database) {
		List<Leased> ofDatabase = Stream.concat(this.leases.stream(), this.leaving.stream())
			.filter((leased) -> leased.database == database)
			.toList();
		for (Leased leased : ofDatabase) {
			leased.gone = true;
			cancelRenewal(leased);
		}
		this.leases.removeAll(ofDatabase);
		this.leaving.removeAll(ofDatabase);
		this.guards.remove(database);
		return ofDatabase;
	}

	private synchronized void cancelRenewal(Leased leased) {
		this.renewals.cancel(leased);
	}

	/**
	 * Stops every renewal, without releasing a lease: for a close that gave up a start waiting for
	 * a store, whose leases would be renewed until that store answers (the start then gives them
	 * up itself). Meanwhile they expire after their ttl, however long that store takes.
	 */
	void stopRenewals() {
		stopRenewing();
	}

	/**
	 * Stops renewing and releases every lease but those of databases being removed (see
	 * {@link #withdraw}); call after the last write.
	 * @return how many leases it released
	 */
	int releaseAll() {
		List<Leased> kept = stopRenewing();
		kept.forEach(this::releaseOne);
		return kept.size();
	}

	/**
	 * Stops renewing every lease but those of databases being removed, and writing to them at
	 * once, without releasing them, at the engine's close (see {@link #abandon}): a step still
	 * running writes nothing more, and a start of the engine again waits for what it let through.
	 * @return how many leases it left to expire
	 */
	int abandonAll() {
		List<Leased> kept = stopRenewing();
		kept.forEach(this::abandonOne);
		return kept.size();
	}

	/**
	 * Stops the renewals, waiting for those under way outside the lock.
	 * @return the leases of the registered databases, not those being registered
	 */
	private List<Leased> stopRenewing() {
		ScheduledThreadPoolExecutor stopped;
		List<Leased> kept;
		synchronized (this) {
			stopped = this.renewals.stop();
			kept = this.leases.stream().filter((leased) -> !leased.joining).toList();
		}
		LeaseRenewalSchedule.awaitStopped(stopped);
		return kept;
	}

	private static long epoch(LeaseStatus status) {
		return (status.record() != null) ? status.record().epoch() : 0;
	}

}
