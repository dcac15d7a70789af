package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.github.litestream.lease.LeaseAttempt;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseUnsupportedException;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.restore.FollowerOptions;
import io.github.litestream.restore.ReplicaFollower;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An instance waiting to become a database's primary: it follows the replica into the local
 * database file (a {@link ReplicaFollower}) while it watches the replica's lease, and takes the
 * lease as soon as the holder releases it (a clean stop) or stops renewing it for a whole ttl
 * (a crash). Then it applies what is left in the replica, hands the file over at the followed
 * position and calls its {@link Promotion} (see {@link Takeover}), which starts an engine on the
 * file: that engine, created with {@link #holder() the same lease holder}, takes the lease over
 * at once and continues the same generation (no snapshot). From taking the lease until the promotion calls
 * {@link #handOverLease()} (right before that engine takes the lease:
 * {@link DatabaseRegistry#registerPromoted} does it inside the registration) or returns, the
 * standby renews the lease itself, so that a takeover that runs a long schema migration before
 * its engine starts, or waits for the engine, keeps it.
 *
 * <p>Watching costs one read of the lease object per {@code leasePoll} (500 ms by default,
 * about 5.2 million reads a month), which bounds how long a released lease waits for its
 * standby. Only the followed replica (the first one in configuration order) is watched; the
 * engine takes the leases of the others at its start, in order, as any primary does.
 */
public final class Standby implements AutoCloseable {

	/** How often the lease is read by default. */
	public static final Duration DEFAULT_LEASE_POLL = Duration.ofMillis(500);

	private static final Logger logger = LoggerFactory.getLogger(Standby.class);

	private final String replica;

	private final Path database;

	private final ReplicaLease lease;

	private final ReplicaFollower follower;

	/** Becomes primary once the lease is taken. */
	private final Takeover takeover;

	private final LeaseHolder holder;

	private final Duration leasePoll;

	private final Clock clock;

	private final CountDownLatch closing = new CountDownLatch(1);

	/** Counted down once the standby is primary, failed or closing: what {@link #awaitPrimary} waits for. */
	private final CountDownLatch settled = new CountDownLatch(1);

	private volatile State state = State.NEW;

	private volatile Instant lastLeaseRead;

	private volatile String lastError;

	private Thread thread;

	/** Renews the lease this standby took until it is handed over; one per promotion attempt. */
	private volatile @Nullable LeaseRenewals renewals;

	private volatile Consumer<String> onFailure = (reason) -> {
	};

	/**
	 * Creates a standby; nothing is read or written yet.
	 * @param replica the followed replica's name
	 * @param client the followed replica (the standby closes nothing: the follower and the lease
	 * read through it)
	 * @param database the local database file; must not exist
	 * @param lease the lease's ttl
	 * @param holder who this instance is in the lease: the engine started on promotion must hold
	 * leases as the same holder
	 * @param follow how the follower polls
	 * @param leasePoll how often the lease is read
	 * @param clock the wall clock
	 */
	public Standby(String replica, ReplicaClient client, Path database, LeaseOptions lease, LeaseHolder holder,
			FollowerOptions follow, Duration leasePoll, Clock clock) {
		this.replica = replica;
		this.database = database;
		this.holder = holder;
		this.leasePoll = leasePoll;
		this.clock = clock;
		this.lease = new ReplicaLease(replica, client.location(), client.conditionalObjects().orElse(null), lease,
				holder, clock);
		this.follower = new ReplicaFollower(client, database, follow, clock);
		this.takeover = new Takeover(replica, database, this.lease, this.follower, clock, this.closing,
				this::interrupted, (error) -> this.lastError = error);
	}

	/**
	 * Starts following and watching the lease, on daemon threads.
	 * @param promotion what runs once the lease is taken and the file handed over
	 * @throws LeaseUnsupportedException if the followed replica's store cannot keep a lease
	 * @throws IOException if the database file exists already
	 */
	public void start(Promotion promotion) throws IOException {
		start(promotion, (reason) -> {
		});
	}

	/**
	 * Starts following and watching the lease, on daemon threads.
	 * @param promotion what runs once the lease is taken and the file handed over
	 * @param failed told why, if this standby can no longer take over (it then holds no lease)
	 * @throws LeaseUnsupportedException if the followed replica's store cannot keep a lease
	 * @throws IOException if the database file exists already
	 */
	public synchronized void start(Promotion promotion, Consumer<String> failed) throws IOException {
		this.onFailure = failed;
		if (this.thread != null) {
			throw new IllegalStateException("A standby starts once");
		}
		// A store that cannot keep a lease fails the start, as it does a primary's, rather than
		// leave a standby that can never take over; one that does not answer is probed later.
		try {
			this.lease.checkSupported();
		}
		catch (LeaseUnsupportedException ex) {
			throw ex;
		}
		catch (IOException ex) {
			logger.debug("Replica '{}' did not answer the lease probe at the standby's start: {}", this.replica,
					ex.getMessage());
		}
		this.follower.start();
		this.state = State.STANDBY;
		this.thread = new Thread(() -> waitForLease(promotion), "litestream-standby-" + this.database.getFileName());
		this.thread.setDaemon(true);
		this.thread.start();
		logger.info("{} is a standby of replica '{}': following it until its lease is free", this.database,
				this.replica);
	}

	private void waitForLease(Promotion promotion) {
		while (this.closing.getCount() > 0) {
			if (this.follower.status().stopped()) {
				// Interrupted or died of an error: it would never apply the rest, so a takeover would fail.
				followerStopped(this.follower.status().lastError());
				return;
			}
			try {
				LeaseAttempt attempt = this.lease.tryAcquire();
				this.lastLeaseRead = this.clock.instant();
				this.lastError = null;
				if (attempt == LeaseAttempt.ACQUIRED) {
					if (promote(promotion)) {
						return;
					}
					// Gave the lease back: another instance may take it before this one tries again.
					pause(this.lease.options().ttl());
				}
			}
			catch (LeaseUnsupportedException ex) {
				this.state = State.FAILED;
				this.settled.countDown();
				this.lastError = ex.getMessage();
				logger.error("{}; this standby cannot take over. Set lease.enabled=false and standby=false for its "
						+ "database, or use a store with conditional writes", ex.getMessage());
				return;
			}
			catch (IOException | RuntimeException ex) {
				this.lastError = String.valueOf(ex.getMessage());
				logger.debug("Standby of replica '{}' could not read its lease: {}", this.replica, ex.getMessage());
			}
			pause(this.leasePoll);
		}
	}

	private void followerStopped(String reason) {
		this.state = State.FAILED;
		this.settled.countDown();
		this.lastError = reason;
		logger.error("Standby of replica '{}' cannot take over: {}", this.replica, reason);
		this.onFailure.accept(reason);
	}

	/**
	 * Takes over with the lease it took (see {@link Takeover}), renewing the lease meanwhile, and
	 * through the promotion, until {@link #handOverLease()}.
	 * @return whether the attempt ended (promoted or failed); {@code false} to go on watching
	 */
	private boolean promote(Promotion promotion) {
		this.state = State.PROMOTING;
		// Stops once another instance holds it: renewing would try to take it again, and it is
		// theirs now (the takeover then fails).
		LeaseRenewals renewing = new LeaseRenewals("litestream-standby-lease-" + this.database.getFileName(), true,
				(lease, status) -> this.lastError = "lost the lease it took before its engine started: "
						+ status.fencedReason());
		this.renewals = renewing;
		renewing.renew(this.replica, this.lease);
		try {
			Takeover.Outcome outcome = this.takeover.run(promotion);
			switch (outcome.state()) {
				case PRIMARY -> {
					this.state = State.PRIMARY;
					this.settled.countDown();
				}
				case STANDBY -> {
					handOverLease();
					this.lease.release();
					this.state = State.STANDBY;
					return false;
				}
				default -> abandon(String.valueOf(outcome.failure()));
			}
			return true;
		}
		finally {
			handOverLease();
		}
	}

	private void abandon(String reason) {
		this.state = State.FAILED;
		this.settled.countDown();
		this.lastError = reason;
		// No renewal may follow the release.
		handOverLease();
		this.lease.release();
		this.onFailure.accept(reason);
	}

	/**
	 * Stops renewing the lease this standby took, so that the engine it promotes takes it over
	 * without the two writing it at once: call right before that engine starts. The standby also
	 * stops when the promotion returns; calling this again does nothing. A renewal that fails
	 * (the store did not answer) is tried again at the next interval until then.
	 */
	public void handOverLease() {
		LeaseRenewals current = this.renewals;
		if (current != null) {
			// Waits for a renewal under way: none may write once this returns.
			current.stop();
		}
	}

	private void pause(Duration duration) {
		try {
			this.closing.await(duration.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			interrupted();
		}
	}

	/** Ends the standby as a close would, keeping the interrupt for its thread. */
	private void interrupted() {
		Thread.currentThread().interrupt();
		this.closing.countDown();
		this.settled.countDown();
	}

	/**
	 * Waits until this instance is the primary (its promotion returned).
	 * @param timeout how long to wait
	 * @return {@code true} if it is
	 * @throws InterruptedException if interrupted
	 */
	public boolean awaitPrimary(Duration timeout) throws InterruptedException {
		this.settled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
		return this.state == State.PRIMARY;
	}

	/**
	 * Where the standby is.
	 * @return its status
	 */
	public StandbyStatus status() {
		return new StandbyStatus(this.state, this.lease.status().record(), this.follower.status(), this.lastLeaseRead,
				this.lastError);
	}

	/**
	 * Who this instance is in the lease; the promoted engine must use it.
	 * @return the holder
	 */
	public LeaseHolder holder() {
		return this.holder;
	}

	/**
	 * Stops watching and following, unless promoted already; the file is left as it is.
	 */
	@Override
	public void close() throws IOException {
		// A promotion that hangs must not keep the lease for ever: it expires and another
		// instance can take over.
		handOverLease();
		Thread running;
		synchronized (this) {
			running = this.thread;
			this.closing.countDown();
			this.settled.countDown();
		}
		if (running != null && running != Thread.currentThread()) {
			try {
				running.join(Duration.ofSeconds(30).toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (this.state != State.PRIMARY) {
			try {
				this.follower.stop(Duration.ofSeconds(10));
			}
			catch (IOException ex) {
				logger.warn("Standby of replica '{}': {}", this.replica, ex.getMessage());
			}
			this.state = State.CLOSED;
		}
	}

	/** Where a standby is. */
	public enum State {

		/** Not started. */
		NEW,

		/** Following the replica and watching its lease. */
		STANDBY,

		/** Took the lease; applying the rest and handing over. */
		PROMOTING,

		/** Promoted: an engine runs on the file. */
		PRIMARY,

		/** Cannot take over: the store keeps no lease, its follower stopped, or the promotion failed. */
		FAILED,

		/** Closed before it was promoted. */
		CLOSED

	}

	/**
	 * What runs when a standby becomes primary, on its thread, while it holds the lease: start
	 * an engine on the database file (created with {@link Standby#holder()}).
	 */
	@FunctionalInterface
	public interface Promotion {

		/**
		 * Starts the primary.
		 * @param position the followed position the file holds, or empty if the replica held no
		 * backup (the engine then starts a new generation)
		 * @throws Exception if it cannot start; the lease is released again
		 */
		void promoted(Optional<Pos> position) throws Exception;

	}

}
