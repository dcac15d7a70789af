package io.github.litestream.lease;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalObjects.VersionedObject;
import io.github.litestream.replica.ConditionalWriteConflictException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease of one replica, kept in the replica as {@value #OBJECT} with conditional writes.
 *
 * <p><b>Taking it.</b> A missing lease is created ({@code If-None-Match}); a lease of ours, a
 * released one, or one that expired more than a ttl ago by its own times is replaced
 * ({@code If-Match}) with the epoch plus one. The exception is a lease this holder took through
 * another {@code ReplicaLease} and still holds (a standby hands it to the engine it promotes):
 * it is taken over with the same epoch, as the holding goes on; once it was released or has
 * expired, taking it is a new holding again. Any other lease may be alive, and clocks of two
 * hosts disagree, so it is not judged by its expiry: it is watched, and taken only after it
 * stayed unchanged for its whole ttl by this process's monotonic clock. A holder that is alive
 * renews it within a third of that, and a change seen while watching proves it alive: at
 * start that refuses this instance ({@link LeaseHeldException}). So a second instance is
 * refused within about a third of a ttl, and a restart after a crash (a new instance, even with
 * the same host name and pid) waits at most one ttl.
 *
 * <p><b>Holding it.</b> The holder may write until the moment it sent its last successful
 * renewal plus the ttl, minus {@link LeaseOptions#safetyMargin() a safety margin}; every write
 * to the replica asks {@link #checkWritable()} first. A lease taken from a holder that did not
 * release it is written to only once that holder's safety margin passed after taking it
 * ({@link #untilWritable()}): between the old holder's last check and the new holder's first
 * write lie two margins, room for a write that was under way. A renewal that fails or finds
 * the lease changed fences at once; afterwards each renewal tick tries to take the lease again,
 * but only while the store still holds this instance's own record (the store was unreachable,
 * nobody took it). Once another instance held it, that instance may have written to the replica
 * and this instance's database lacks those commits: replicating it again would start a
 * generation that restores prefer, leaving the other's commits behind. Such a
 * <em>deposed</em> holder stays fenced ({@link LeaseStatus#lost()}) until its process restarts.
 * {@link #lastAcquisitionFollowedAnother()} tells whether another instance held the lease
 * before this instance first took it (and may have written).
 *
 * <p><b>Probing.</b> Before the first acquisition the store must prove it refuses a
 * conditional write: a second create of {@value #PROBE} and a replace with a wrong version
 * must both fail. A store that accepts either ignores the conditions and cannot keep a lease.
 * A lease handed over within this instance is one holding, probed once ({@link ConditionalWriteProbe}).
 */
public final class ReplicaLease {

	/** The lease object's name at the replica root, beside {@code generations/}. */
	public static final String OBJECT = "lease.json";

	/** The object the store's conditional writes are probed with. */
	public static final String PROBE = "lease-probe.json";

	private static final Logger logger = LoggerFactory.getLogger(ReplicaLease.class);

	private final String replica;

	private final String location;

	private final LeaseOptions options;

	private final LeaseHolder self;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private final LeaseHolding holding;

	/** The store's conditional writes, probed before their first use. */
	private final ConditionalWriteProbe probe;

	private boolean unsupportedLogged;

	private final LeaseWatch watch = new LeaseWatch();

	/**
	 * Creates the lease of one replica; nothing is read or written yet.
	 * @param replica the replica's name
	 * @param location where it lives, for messages
	 * @param objects the store's conditional writes, or {@code null} if it has none
	 * @param options the ttl
	 * @param self this instance
	 * @param clock the wall clock, for the times in the record
	 */
	public ReplicaLease(String replica, String location, @Nullable ConditionalObjects objects, LeaseOptions options,
			LeaseHolder self, Clock clock) {
		this(replica, location, objects, options, self, clock, System::nanoTime);
	}

	/**
	 * Creates the lease of one replica on a given monotonic clock: the one its write window, its
	 * watch and a wait for an abandoned lease ({@link #firstWriteNoSoonerThan}) are measured by.
	 * @param replica the replica's name
	 * @param location where it lives, for messages
	 * @param objects the store's conditional writes, or {@code null} if it has none
	 * @param options the ttl
	 * @param self this instance
	 * @param clock the wall clock, for the times in the record
	 * @param nanoTime the monotonic clock, on {@link System#nanoTime()}'s scale
	 */
	public ReplicaLease(String replica, String location, @Nullable ConditionalObjects objects, LeaseOptions options,
			LeaseHolder self, Clock clock, LongSupplier nanoTime) {
		this.replica = Objects.requireNonNull(replica, "replica");
		this.location = Objects.requireNonNull(location, "location");
		this.options = options;
		this.self = self;
		this.clock = clock;
		this.nanoTime = nanoTime;
		this.probe = new ConditionalWriteProbe(objects, replica, location, self);
		this.holding = new LeaseHolding(replica, location, objects, options, self, clock, nanoTime, this.watch);
	}

	/**
	 * Takes the lease, waiting (at most about one ttl) for a holder that stopped renewing.
	 * @throws LeaseHeldException if a live instance holds it
	 * @throws LeaseUnsupportedException if the store cannot keep a lease
	 * @throws IOException if the store cannot be read or written
	 */
	public void acquire() throws IOException {
		while (true) {
			switch (tryAcquire()) {
				case ACQUIRED -> {
					return;
				}
				case HELD_BY_LIVE_HOLDER -> throw new LeaseHeldException(this.replica, this.location,
						Objects.requireNonNull(this.holding.current()));
				case WAITING -> pause();
			}
		}
	}

	/**
	 * Takes the lease at start, as {@link #acquire()} does, except that a store that cannot be
	 * reached does not stop the application (replication never does): the replica then starts
	 * fenced, writes nothing, and its lease is taken by the renewal ticks once the store answers.
	 * @throws LeaseHeldException if a live instance holds it
	 * @throws LeaseUnsupportedException if the store cannot keep a lease
	 */
	public void acquireAtStart() throws LeaseException {
		try {
			acquire();
		}
		catch (LeaseException ex) {
			throw ex;
		}
		catch (IOException ex) {
			synchronized (this) {
				this.holding.fence("the lease could not be taken at start: " + StoreFailure.reason(ex));
			}
		}
	}

	/**
	 * One attempt to take the lease, without waiting.
	 * @return the outcome
	 * @throws LeaseUnsupportedException if the store cannot keep a lease
	 * @throws IOException if the store cannot be read or written
	 */
	public synchronized LeaseAttempt tryAcquire() throws IOException {
		return attempt(false);
	}

	/**
	 * One attempt to take the lease.
	 * @param retaking whether this is a renewal tick of a fenced holder: it takes back only its
	 * own record; any other means it was deposed
	 */
	private LeaseAttempt attempt(boolean retaking) throws IOException {
		ConditionalObjects store = this.probe.store();
		Optional<VersionedObject> read = store.read(OBJECT);
		// Before any write. A probe after the read only delays the conditional write the read decides.
		this.probe.probeUnlessHandedOver(read.isPresent() && this.holding.handedOver(LeaseRecord.readIfLease(read.get())));
		if (retaking && this.holding.everHeld()) {
			LeaseRecord stored = read.isPresent() ? LeaseRecord.read(read.get(), this.replica, this.location) : null;
			if (stored == null || !stored.holder().instance().equals(this.self.instance())
					|| stored.epoch() != this.holding.epoch()) {
				// Another instance may have held it meanwhile (removing it counts: who did is unknown).
				this.holding.deposed(stored);
				return LeaseAttempt.HELD_BY_LIVE_HOLDER;
			}
		}
		if (read.isEmpty()) {
			LeaseRecord record = this.holding.record(this.holding.epoch() + 1, false);
			long sent = this.nanoTime.getAsLong();
			try {
				this.holding.held(store.create(OBJECT, record.toJson()), record, sent, this.holding.everHeld(),
						Duration.ZERO);
				return LeaseAttempt.ACQUIRED;
			}
			catch (ConditionalWriteConflictException ex) {
				return LeaseAttempt.WAITING;
			}
		}
		LeaseRecord previous = LeaseRecord.read(read.get(), this.replica, this.location);
		this.holding.seen(previous);
		boolean ours = previous.holder().instance().equals(this.self.instance());
		if (this.holding.handedOver(previous)) {
			// Handed over inside this instance (a standby to the engine it promotes): one holding, one epoch.
			// The instance that took it waited out the previous holder's last writes already.
			return replace(store, read.get(), previous.epoch(), false, Duration.ZERO);
		}
		boolean longExpired = this.clock.instant().isAfter(previous.expiresAt().plus(previous.ttl()));
		if (!ours && !previous.released() && !longExpired) {
			switch (this.watch.observe(read.get().version(), previous, this.nanoTime.getAsLong())) {
				case ALIVE -> {
					return LeaseAttempt.HELD_BY_LIVE_HOLDER;
				}
				case UNKNOWN -> {
					return LeaseAttempt.WAITING;
				}
				case GONE -> logger.info("Taking the lease of replica '{}' ({}) from {}: unchanged for its ttl of {}",
						this.replica, this.location, previous.holder(), previous.ttl());
			}
		}
		long epoch = this.holding.epoch();
		// A holder that released wrote nothing after; one that did not may have a write in flight.
		Duration wait = (ours || previous.released()) ? Duration.ZERO : LeaseOptions.safetyMargin(previous.ttl());
		return replace(store, read.get(), Math.max(previous.epoch(), epoch) + 1, !ours || previous.epoch() != epoch,
				wait);
	}

	private LeaseAttempt replace(ConditionalObjects store, VersionedObject read, long newEpoch, boolean another,
			Duration wait) throws IOException {
		LeaseRecord record = this.holding.record(newEpoch, false);
		long sent = this.nanoTime.getAsLong();
		try {
			this.holding.held(store.replace(OBJECT, record.toJson(), read.version()), record, sent, another, wait);
			return LeaseAttempt.ACQUIRED;
		}
		catch (ConditionalWriteConflictException ex) {
			return LeaseAttempt.WAITING;
		}
	}

	/**
	 * Renews the lease if held; otherwise tries to take it again, unless another instance held
	 * it since this one did (see the class description): a deposed holder stays fenced and
	 * touches the store no more. Called every {@link LeaseOptions#renewInterval()}. Never
	 * throws: a failure fences.
	 * @return the role afterwards
	 */
	public synchronized LeaseRole renew() {
		if (this.holding.role() == LeaseRole.PRIMARY) {
			this.holding.renew();
		}
		else if (this.holding.role() == LeaseRole.FENCED && !this.holding.lost()) {
			try {
				LeaseAttempt attempt = attempt(true);
				LeaseRecord seen = this.holding.current();
				if (attempt != LeaseAttempt.ACQUIRED && seen != null && !seen.holder().equals(this.self) && !seen.released()) {
					this.holding.lostTo(seen);
				}
				if (attempt == LeaseAttempt.ACQUIRED) {
					logger.info("Replica '{}' ({}) is leased again, epoch {}; writing resumes", this.replica,
							this.location, this.holding.epoch());
				}
			}
			catch (LeaseUnsupportedException ex) {
				if (!this.unsupportedLogged) {
					this.unsupportedLogged = true;
					logger.error("{}; the replica stays fenced. Set lease.enabled=false for its database to replicate "
							+ "to it without a lease", ex.getMessage());
				}
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Replica '{}' ({}) could not take its lease again: {}", this.replica, this.location,
						ex.getMessage());
			}
		}
		return this.holding.role();
	}

	/**
	 * Gives the lease up at a clean stop, after the last write: stores it released, with the
	 * same epoch, so the next instance takes it at once. Writing stops first. While its first
	 * write still waits for a previous holder's last ones ({@link #untilWritable()}), it is left
	 * to expire instead: those may still land.
	 */
	public synchronized void release() {
		this.holding.release();
	}

	/** Stops writing at once, leaving the stored lease to expire: an upload under way may yet land. */
	public synchronized void abandon() {
		this.holding.abandon();
	}

	/**
	 * Holds the first write of this lease, not taken yet, until a moment by its monotonic clock:
	 * it succeeds a lease this instance abandoned, whose record it takes over at once as its own,
	 * while a write of that lease may still land.
	 * @param nanoTime the moment
	 */
	public synchronized void firstWriteNoSoonerThan(long nanoTime) {
		this.holding.notBefore(nanoTime);
	}

	/**
	 * Refuses a write that might arrive after the lease lapsed. Cheap and lock-free: asked
	 * before every object written to or deleted from the replica.
	 * @throws LeaseFencedException if this instance must not write now
	 */
	public void checkWritable() throws LeaseFencedException {
		if (!allowsWrites()) {
			throw new LeaseFencedException(this.replica, this.location, this.holding.whyNotWritable());
		}
	}

	/**
	 * Whether a write may go out now.
	 * @return {@code true} while the lease is held and not within the safety margin of lapsing
	 */
	public boolean allowsWrites() {
		return this.holding.allowsWrites();
	}

	/**
	 * How long this instance still waits, after taking the lease from a holder that did not
	 * release it, before its first write: that holder's safety margin, for a write of its that
	 * passed its check just before its lease could lapse. Whoever hands the lease on within
	 * this instance (a standby to its engine, leases taken ahead of a restore) waits for this
	 * first, as the one that takes it over does not wait again.
	 * @return the time left, zero once writes may start or if the lease is not held
	 */
	public Duration untilWritable() {
		return this.holding.untilWritable();
	}

	/**
	 * Whether another instance held the lease before this instance's last acquisition (at the
	 * first, anyone but this instance; later, anyone since this instance's previous holding).
	 * @return {@code true} if the replica may hold writes of another instance since ours
	 */
	public synchronized boolean lastAcquisitionFollowedAnother() {
		return this.holding.followedAnother();
	}

	/**
	 * How many times this instance took the lease (renewals do not count): a caller that
	 * compares it before and after {@link #renew()} knows whether that renewal took it again,
	 * which the role in {@link #status()} cannot tell (it shows FENCED once a slow renewal's
	 * write window ended, though the lease was never lost).
	 * @return the count
	 */
	public synchronized long acquisitions() {
		return this.holding.acquisitions();
	}

	/**
	 * Checks, without taking the lease, that the store can keep one (probed once).
	 * @throws IOException if it cannot ({@link LeaseUnsupportedException}), or does not answer
	 */
	public synchronized void checkSupported() throws IOException {
		this.probe.probedStore();
	}

	/**
	 * The lease as this instance sees it; a lease whose renewal is overdue shows as fenced.
	 * @return the status
	 */
	public LeaseStatus status() {
		return this.holding.status();
	}

	/**
	 * The options.
	 * @return the options
	 */
	public LeaseOptions options() {
		return this.options;
	}

	private void pause() throws InterruptedIOException {
		LeaseRecord record = this.holding.current();
		Duration ttl = (record != null) ? record.ttl() : this.options.ttl();
		long millis = Math.max(20, Math.min(1000, ttl.toMillis() / 10));
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while waiting for the lease of replica '" + this.replica + "'");
		}
	}

}
