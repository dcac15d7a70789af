package io.github.litestream;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.github.litestream.Standby.Promotion;
import io.github.litestream.Standby.State;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.Pos;
import io.github.litestream.restore.FollowerStatus;
import io.github.litestream.restore.ReplicaFollower;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link Standby} does once it took the lease, to become primary: it waits out the
 * previous holder's last writes, applies what the replica holds (the last holder wrote it before
 * releasing, or before it stopped renewing), stops the follower there and runs the promotion, each
 * wait within half a ttl. It decides how the attempt ends; the standby moves to that state, and
 * releases the lease when the attempt did not make it primary. The standby renews the lease
 * throughout.
 *
 * <p>Runs on the standby's thread only.
 */
final class Takeover {

	// The standby's category, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(Standby.class);

	private final String replica;

	private final Path database;

	private final ReplicaLease lease;

	private final ReplicaFollower follower;

	private final Clock clock;

	/** Counted down when the standby closes. */
	private final CountDownLatch closing;

	/** Ends the standby when its thread is interrupted. */
	private final Runnable interrupted;

	/** Sets the standby's last error ({@code null} clears it). */
	private final Consumer<@Nullable String> lastError;

	Takeover(String replica, Path database, ReplicaLease lease, ReplicaFollower follower, Clock clock,
			CountDownLatch closing, Runnable interrupted, Consumer<@Nullable String> lastError) {
		this.replica = replica;
		this.database = database;
		this.lease = lease;
		this.follower = follower;
		this.clock = clock;
		this.closing = closing;
		this.interrupted = interrupted;
		this.lastError = lastError;
	}

	/**
	 * Applies the rest of the replica and hands the file over to the promotion.
	 * @param promotion what starts the primary
	 * @return how the attempt ended
	 */
	Outcome run(Promotion promotion) {
		Duration ttl = this.lease.options().ttl();
		Duration budget = ttl.dividedBy(2);
		awaitLastWritesOfPreviousHolder();
		// Never at an older point than the replica holds (a restore still running, a slow
		// download): that would serve, and start a generation from, a database missing the
		// last holder's commits. The lease is renewed meanwhile, so nobody else writes; while
		// the follower fails for longer than a ttl, the lease goes back for another instance.
		while (!this.follower.catchUp(budget)) {
			FollowerStatus following = this.follower.status();
			this.lastError.accept("took the lease but has not applied all the replica holds yet (" + following
					+ "); waits for it before it becomes primary");
			logger.warn("Standby of replica '{}' has not applied all of it {} after taking its lease ({}); it waits "
					+ "for that before it becomes primary", this.replica, budget, following);
			if (this.closing.getCount() == 0 || this.lease.status().lost() || !this.follower.isRunning()) {
				return Outcome.failed(
						"it closed, lost the lease or stopped following before it applied all of the replica");
			}
			if (following.failingSince() != null
					&& Duration.between(following.failingSince(), this.clock.instant()).compareTo(ttl) > 0) {
				logger.warn("Standby of replica '{}' cannot follow it ({}); it gives the lease back for another "
						+ "instance and goes on watching it", this.replica, following.lastError());
				return new Outcome(State.STANDBY, null);
			}
		}
		if (this.closing.getCount() == 0) {
			return Outcome.failed("it closed before it became primary");
		}
		this.lastError.accept(null);
		try {
			Optional<Pos> position = this.follower.stop(budget);
			logger.info("{} took the lease of replica '{}' and continues from {}", this.database, this.replica,
					position.map(Pos::toString).orElse("an empty database (the replica held no backup)"));
			promotion.promoted(position);
			return new Outcome(State.PRIMARY, null);
		}
		catch (Exception ex) {
			logger.error("Standby of replica '{}' took its lease but could not become primary; releasing the lease",
					this.replica, ex);
			return Outcome.failed(String.valueOf(ex.getMessage()));
		}
	}

	/**
	 * A holder that did not release the lease may have a write in flight when it lapsed (see
	 * {@link ReplicaLease#untilWritable()}): the engine, which takes the lease over without
	 * waiting, must not write before that margin passed, and the poll that decides where the
	 * file stops begins after it, so that it applies such a write too.
	 */
	private void awaitLastWritesOfPreviousHolder() {
		Duration wait = this.lease.untilWritable();
		if (wait.isZero()) {
			return;
		}
		logger.info("Standby of replica '{}' took the lease from an instance that did not release it; it waits {} "
				+ "for that instance's last writes before it becomes primary", this.replica, wait);
		try {
			while (!wait.isZero() && !this.closing.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
				wait = this.lease.untilWritable();
			}
		}
		catch (InterruptedException ex) {
			this.interrupted.run();
		}
	}

	/**
	 * How an attempt ended.
	 * @param state {@link State#PRIMARY} (promoted), {@link State#STANDBY} (the lease goes
	 * back and the standby goes on watching) or {@link State#FAILED} (it cannot take over)
	 * @param failure why it failed, or {@code null}
	 */
	record Outcome(State state, @Nullable String failure) {

		static Outcome failed(String reason) {
			return new Outcome(State.FAILED, reason);
		}

	}

}
