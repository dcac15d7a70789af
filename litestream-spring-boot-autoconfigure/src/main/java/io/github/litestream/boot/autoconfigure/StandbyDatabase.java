package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.litestream.DatabaseRegistry;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.LocalCopy;
import io.github.litestream.Standby;
import io.github.litestream.StandbyStatus;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseHeldException;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.restore.FollowerOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database configured with {@code litestream.dbs[n].standby=true}, at run time. At start it
 * becomes the primary at once if it can (its file exists and the lease is free: the file is
 * kept, as any primary's is); otherwise it is a {@link Standby}: it follows the first replica
 * into the file until the lease is released or expires, then takes over, continuing the same
 * generation. Until then its {@link StandbyGate} holds the application's connections back.
 *
 * <p>A file found on disk is kept only if it is the only copy (the replica is empty) or ends
 * where the replica's newest generation ends ({@link LocalCopy}), and the lease is free. Any
 * other file is stale (this instance was a primary or standby before, and the replica moved on):
 * it is moved aside, never deleted ({@link StandbyFile}), before the follower restores the
 * replica's state.
 */
public final class StandbyDatabase {

	private static final Logger logger = LoggerFactory.getLogger(StandbyDatabase.class);

	private static final Duration LEASE_POLL = Duration.ofMillis(500);

	private static final String STALE = "it does not end where the replica's newest generation ends (the replica "
			+ "moved on, where the file ended was not recorded, or a follower's copy was never handed over)";

	/** How long the last commits of a database whose takeover failed may take to ship. */
	private static final Duration UNREGISTER_TIMEOUT = Duration.ofSeconds(30);

	private final String property;

	private final Path path;

	private final StandbyGate gate;

	private final StandbyFile file;

	private final Clock clock;

	private volatile @Nullable Standby standby;

	/** Set by {@link #close()}; a standby is started only before it, under this object's lock. */
	private boolean closed;

	/** Counted down by {@link #close()}: wakes the lease waiter at once. */
	private final CountDownLatch closing = new CountDownLatch(1);

	StandbyDatabase(String property, Path path, Clock clock) {
		this.property = property;
		this.path = path;
		this.clock = clock;
		this.gate = new StandbyGate(property + " (" + path + ")");
		this.file = new StandbyFile(property, path, clock);
	}

	/**
	 * The entry that configures it.
	 * @return the property prefix, such as {@code litestream.dbs[0]}
	 */
	public String property() {
		return this.property;
	}

	/**
	 * The database file.
	 * @return the canonical path
	 */
	public Path path() {
		return this.path;
	}

	/**
	 * Whether this instance is the database's primary (its connections are let through).
	 * @return {@code true} once it took over
	 */
	public boolean isPrimary() {
		return this.gate.state() == StandbyGate.State.OPEN;
	}

	/**
	 * Why it cannot serve although it took over (work deferred to the takeover failed).
	 * @return the failure, or {@code null}
	 */
	public @Nullable String failure() {
		return this.gate.failure();
	}

	/**
	 * What this instance waits for before it takes over, as a connection that gives up says it:
	 * who holds the lease (instance, host, pid), its epoch and expiry, and how far the follower
	 * got.
	 * @return the description, or {@code null} once it took over, failed, or stopped waiting
	 * because the application stops
	 */
	public @Nullable String waitingFor() {
		return this.gate.waitingFor();
	}

	/**
	 * Where its standby is, while it follows the replica.
	 * @return the status, empty before the start and once it is the primary
	 */
	public Optional<StandbyStatus> status() {
		Standby following = this.standby;
		return (following != null && !isPrimary()) ? Optional.of(following.status()) : Optional.empty();
	}

	StandbyGate gate() {
		return this.gate;
	}

	/**
	 * Takes over at once, or starts following.
	 * @param registry registers the database with the engine on takeover
	 * @param holder who this instance is in the lease (the engine's holder)
	 * @param options the database's options
	 * @param lease its lease
	 * @param targets its replicas; the first one is followed
	 * @param promoted called once this instance is the primary, on the promoting thread
	 * @throws IOException if the database cannot be opened, or the store keeps no lease
	 */
	void start(DatabaseRegistry registry, LeaseHolder holder, DatabaseOptions options,
			LeaseOptions lease, List<ReplicationTarget> targets, Runnable promoted)
			throws IOException {
		ReplicationTarget followed = targets.get(0);
		FileStart started = serveFile(registry, options, lease, targets, this.file.compare(followed), promoted);
		if (started == FileStart.FOLLOW) {
			follow(registry, holder, options, lease, targets, promoted);
		}
		else if (started == FileStart.WAIT) {
			awaitLease(registry, holder, options, lease, targets, promoted);
		}
	}

	/**
	 * Serves the file found on disk if it is current (or the only copy) and the lease is free;
	 * decided again once the engine holds the lease, since the last holder's final commits may
	 * land in the replica up to its release, after the first look.
	 */
	private FileStart serveFile(DatabaseRegistry registry, DatabaseOptions options, LeaseOptions lease,
			List<ReplicationTarget> targets, LocalCopy copy, Runnable promoted) throws IOException {
		if (copy == LocalCopy.MISSING) {
			return FileStart.FOLLOW;
		}
		if (copy == LocalCopy.STALE) {
			this.file.moveAside(STALE);
			return FileStart.FOLLOW;
		}
		ReplicationTarget followed = targets.get(0);
		LocalCopy[] underLease = { copy };
		try {
			registry.registerChecked(options, lease, targets, (database) -> {
				if (!registry.holdsLeases(database)) {
					throw new NoAnswerException("the replica's lease could not be read", null);
				}
				try {
					underLease[0] = LocalCopy.of(this.path, followed.client());
				}
				catch (IOException ex) {
					throw new NoAnswerException("the replica could not be listed", ex);
				}
				if (underLease[0] != LocalCopy.ONLY_COPY && underLease[0] != LocalCopy.CURRENT) {
					throw new StaleCopyException();
				}
			});
		}
		catch (LeaseHeldException ex) {
			this.file.moveAside("another instance holds the lease (" + ex.holder().holder() + ", epoch "
					+ ex.holder().epoch() + ")");
			return FileStart.FOLLOW;
		}
		catch (StaleCopyException ex) {
			this.file.moveAside(STALE + "; the last primary wrote to the replica while this instance started");
			return FileStart.FOLLOW;
		}
		catch (NoAnswerException ex) {
			logger.debug("{} ({}): {}", this.property, this.path, ex.getMessage());
			return FileStart.WAIT;
		}
		logger.info("{} ({}) is the primary: its lease was free and its file is {}", this.property, this.path,
				(underLease[0] == LocalCopy.CURRENT) ? "where the replica ends" : "the only copy (the replica is empty)");
		runDeferredWork(registry);
		takeOver(promoted);
		return FileStart.SERVED;
	}

	private void follow(DatabaseRegistry registry, LeaseHolder holder, DatabaseOptions options, LeaseOptions lease,
			List<ReplicationTarget> targets, Runnable promoted) throws IOException {
		ReplicationTarget followed = targets.get(0);
		Standby following = new Standby(followed.options().name(), followed.client(), this.path, lease, holder,
				FollowerOptions.defaults(), Standby.DEFAULT_LEASE_POLL, this.clock);
		this.gate.waitingFor(() -> describe(following.status()));
		// Under the lock: a follow() racing close() (from the lease waiter) starts nothing close() misses.
		synchronized (this) {
			if (this.closed) {
				return;
			}
			this.standby = following;
			startFollowing(registry, options, lease, targets, promoted, following);
		}
	}

	private void startFollowing(DatabaseRegistry registry, DatabaseOptions options, LeaseOptions lease,
			List<ReplicationTarget> targets, Runnable promoted, Standby following) throws IOException {
		following.start((position) -> {
			try {
				if (position.isEmpty()) {
					// A new database: the schema migration creates it, as at any first start, before
					// the engine adds its own tables (Flyway refuses a schema it did not create). The
					// standby keeps the lease renewed meanwhile.
					this.gate.runDeferredWork();
					registry.registerPromoted(options, lease, targets, following);
				}
				else {
					registry.registerPromoted(options, lease, targets, following);
					runDeferredWork(registry);
				}
			}
			catch (IOException | RuntimeException ex) {
				// The standby releases the lease; this instance never serves the database.
				this.gate.fail("the takeover failed: " + ex.getMessage());
				throw ex;
			}
			takeOver(promoted);
		}, (reason) -> this.gate.fail("the standby cannot take over: " + reason));
	}

	/**
	 * Tries again, on a thread of its own and with the connections closed, to start on the file
	 * found on disk, until the store answers whether the lease is free: another instance may be
	 * the primary meanwhile.
	 */
	private void awaitLease(DatabaseRegistry registry, LeaseHolder holder, DatabaseOptions options,
			LeaseOptions lease, List<ReplicationTarget> targets, Runnable promoted) {
		this.gate.waitingFor(() -> "the replica's lease could not be read at start; waiting for it");
		logger.warn("{} ({}) is a standby whose file could be served, but the replica's lease could not be read; "
				+ "it waits for the lease before it serves", this.property, this.path);
		Thread waiter = new Thread(() -> {
			try {
				FileStart started = FileStart.WAIT;
				while (started == FileStart.WAIT) {
					if (this.closing.await(LEASE_POLL.toMillis(), TimeUnit.MILLISECONDS)) {
						return;
					}
					LocalCopy copy;
					try {
						// Registering takes (and on failure gives back) every lease the store answers
						// for: first check that all of them answer, rather than churn them every try.
						readLeases(targets);
						copy = LocalCopy.of(this.path, targets.get(0).client());
					}
					catch (IOException | RuntimeException ex) {
						logger.debug("{} ({}): the replica still does not answer: {}", this.property, this.path,
								ex.getMessage());
						continue;
					}
					if (this.closing.getCount() == 0) {
						return;
					}
					started = serveFile(registry, options, lease, targets, copy, promoted);
				}
				if (started == FileStart.FOLLOW) {
					follow(registry, holder, options, lease, targets, promoted);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (IOException | RuntimeException ex) {
				this.gate.fail("waiting for the lease failed: " + ex.getMessage());
				logger.error("{} ({}): waiting for its lease failed", this.property, this.path, ex);
			}
		}, "litestream-lease-wait-" + this.path.getFileName());
		waiter.setDaemon(true);
		waiter.start();
	}

	private static void readLeases(List<ReplicationTarget> targets) throws IOException {
		for (ReplicationTarget target : targets) {
			Optional<ConditionalObjects> store = target.client().conditionalObjects();
			if (store.isPresent()) {
				store.get().read(ReplicaLease.OBJECT);
			}
		}
	}

	/** How a start on the file found on disk went. */
	private enum FileStart {

		/** This instance is the primary. */
		SERVED,

		/** The file is set aside, or missing: this instance follows the replica. */
		FOLLOW,

		/** The store did not answer whether the lease is free. */
		WAIT

	}

	/** The store did not answer the check under the lease (the lease is fenced, not held). */
	private static final class NoAnswerException extends IOException {

		NoAnswerException(String message, @Nullable IOException cause) {
			super(message, cause);
		}

	}

	/** The check under the lease found that the replica moved past the file. */
	private static final class StaleCopyException extends IOException {

		StaleCopyException() {
			super("the file is stale");
		}

	}

	/**
	 * Runs the work deferred to the takeover (the schema migration) once the engine took over. If
	 * it fails, the connections stay closed, and the database is unregistered, which releases
	 * its lease: holding it, this instance would keep every other standby from taking over a
	 * database it cannot serve.
	 */
	private void runDeferredWork(DatabaseRegistry registry) {
		try {
			this.gate.runDeferredWork();
		}
		catch (RuntimeException ex) {
			logger.error("{} ({}) took over, but the work deferred to the takeover failed; its connections stay "
					+ "closed and its lease is released for another instance. Fix the cause and restart the "
					+ "application", this.property, this.path, ex);
			try {
				registry.unregister(this.path, UNREGISTER_TIMEOUT, DatabaseRegistry.Backups.KEEP);
			}
			catch (IOException | RuntimeException unregister) {
				logger.warn("{} ({}): could not stop replicating it: {}", this.property, this.path,
						unregister.toString());
			}
		}
	}

	private void takeOver(Runnable promoted) {
		this.gate.open();
		promoted.run();
	}

	private static String describe(StandbyStatus status) {
		LeaseRecord lease = status.lease();
		String holder = (lease != null) ? lease.holder() + " holds the lease (epoch " + lease.epoch() + ", until "
				+ lease.expiresAt() + ")" : "the lease has not been read yet";
		return holder + "; the follower is " + (status.follower().caughtUp() ? "caught up"
				: status.follower().segmentsBehind() + " WAL segments behind");
	}

	/**
	 * Stops following (unless it took over) and fails the connections still waiting.
	 */
	void close() {
		Standby following;
		synchronized (this) {
			this.closed = true;
			this.closing.countDown();
			following = this.standby;
		}
		this.gate.close();
		if (following != null) {
			try {
				following.close();
			}
			catch (IOException ex) {
				logger.warn("The standby of {} did not stop cleanly: {}", this.path, ex.getMessage());
			}
		}
	}

}
