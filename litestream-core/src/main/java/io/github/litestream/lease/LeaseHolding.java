package io.github.litestream.lease;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
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
 * This instance's holding of one replica's lease, once {@link ReplicaLease} took it: the
 * renewals that keep it, the write window they open ({@link WriteWindow}), the fence when one
 * fails or finds the lease replaced, and the release at a clean stop. Kept apart from taking
 * the lease, which reads and watches the store, so that each class does one of the two; the
 * check before every write ({@link #allowsWrites()}) and the {@link #status() status} read
 * volatile fields without the lease's lock, and everything else changes only with that lock held.
 */
final class LeaseHolding {

	private static final Logger logger = LoggerFactory.getLogger(LeaseHolding.class);

	private final String replica;

	private final String location;

	private final @Nullable ConditionalObjects objects;

	private final LeaseOptions options;

	private final LeaseHolder self;

	private final Clock clock;

	private final LongSupplier nanoTime;

	private final LeaseWatch watch;

	private @Nullable String version;

	private long epoch;

	private boolean everHeld;

	private boolean followedAnother;

	private long acquisitions;

	private volatile @Nullable LeaseRecord current;

	private volatile LeaseRole role = LeaseRole.NONE;

	private final WriteWindow window;

	private volatile @Nullable String fencedReason;

	private volatile @Nullable Instant fencedAt;

	private volatile boolean lost;

	LeaseHolding(String replica, String location, @Nullable ConditionalObjects objects, LeaseOptions options,
			LeaseHolder self, Clock clock, LongSupplier nanoTime, LeaseWatch watch) {
		this.replica = replica;
		this.location = location;
		this.objects = objects;
		this.options = options;
		this.self = self;
		this.clock = clock;
		this.nanoTime = nanoTime;
		this.watch = watch;
		this.window = new WriteWindow(options, nanoTime);
	}

	/** Notes a renewed record of ours, as {@link #held(String, LeaseRecord, long, boolean, Duration)} does. */
	void held(String newVersion, LeaseRecord record, long sentNanos) {
		held(newVersion, record, sentNanos, false, Duration.ZERO);
	}

	/**
	 * Notes that the store holds a record of ours: writing may go on until it was sent plus the
	 * ttl, minus the safety margin. Taking the lease counts as an acquisition; renewing it not.
	 * A lease taken from a holder that did not release it is written to only {@code wait}
	 * after the store answered: that holder stopped a safety margin before its lease could
	 * lapse, but a write of its that passed its check just before (a pause, a slow request) may
	 * still land; the two margins together are the room for it.
	 * @param newVersion the version the store gave the record
	 * @param record the record
	 * @param sentNanos when it was sent, by this process's monotonic clock
	 * @param another whether another instance may have held the lease since this one did
	 * @param wait how long an acquisition waits before its first write
	 */
	void held(String newVersion, LeaseRecord record, long sentNanos, boolean another, Duration wait) {
		boolean acquiring = this.role != LeaseRole.PRIMARY;
		if (acquiring) {
			// Set before the role: the check before a write reads both without the lock.
			this.window.opening(wait);
		}
		this.version = newVersion;
		this.current = record;
		this.epoch = record.epoch();
		this.watch.reset();
		this.window.renewed(sentNanos);
		this.role = LeaseRole.PRIMARY;
		this.fencedReason = null;
		this.fencedAt = null;
		this.lost = false;
		if (acquiring) {
			this.followedAnother = another;
			this.everHeld = true;
			this.acquisitions++;
		}
	}

	/**
	 * Renews the lease this instance holds (its role is {@link LeaseRole#PRIMARY}, so the store
	 * was probed). Never throws: a failure fences.
	 */
	void renew() {
		LeaseRecord record = record(this.epoch, false);
		long sent = this.nanoTime.getAsLong();
		try {
			held(Objects.requireNonNull(this.objects).replace(ReplicaLease.OBJECT, record.toJson(),
					Objects.requireNonNull(this.version)), record, sent);
		}
		catch (ConditionalWriteConflictException ex) {
			renewalRefused(record, sent, ex);
		}
		catch (IOException | RuntimeException ex) {
			fence("the lease could not be renewed: " + StoreFailure.reason(ex));
		}
	}

	/**
	 * A renewal the store refused: another instance replaced the lease, unless the store holds
	 * exactly the record just sent (its answer was lost, and a retry with the same version was
	 * refused because the first attempt had already been applied).
	 */
	private void renewalRefused(LeaseRecord record, long sent, ConditionalWriteConflictException ex) {
		try {
			Optional<VersionedObject> stored = Objects.requireNonNull(this.objects).read(ReplicaLease.OBJECT);
			if (stored.isPresent() && Arrays.equals(stored.get().content(), record.toJson())) {
				held(stored.get().version(), record, sent);
				return;
			}
		}
		catch (IOException | RuntimeException readFailure) {
			fence("the lease could not be renewed: " + StoreFailure.reason(ex));
			return;
		}
		this.lost = true;
		LeaseRecord now = readHolder();
		fence("another instance replaced the lease: "
				+ ((now != null) ? describe(now) : "its holder could not be read (" + ex.getMessage() + ")"));
	}

	/** Reads who holds the lease now, for the status and the messages; best effort. */
	private @Nullable LeaseRecord readHolder() {
		try {
			Optional<VersionedObject> read = Objects.requireNonNull(this.objects).read(ReplicaLease.OBJECT);
			if (read.isPresent()) {
				LeaseRecord record = LeaseRecord.read(read.get(), this.replica, this.location);
				this.current = record;
				return record;
			}
		}
		catch (IOException | RuntimeException ex) {
			// The status keeps our last record.
		}
		return null;
	}

	/**
	 * Notes that, while fenced (the store could not be reached), another instance took the
	 * lease: this instance is no longer the primary, which is worth a warning of its own.
	 * @param holder the lease as read
	 */
	void lostTo(LeaseRecord holder) {
		this.current = holder;
		if (this.lost) {
			return;
		}
		this.lost = true;
		String was = this.fencedReason;
		this.fencedReason = "another instance took the lease: " + describe(holder)
				+ ((was != null) ? " (this one was fenced as " + was + ")" : "");
		logger.warn("Replica '{}' ({}) is leased to another instance now, {}: this instance is no longer its "
				+ "primary, and commits made here are not replicated to it. It stays fenced until it restarts{}",
				this.replica, this.location, describe(holder), holder.released() ? " (that instance released it since)" : "");
	}

	/**
	 * Notes that, while fenced, the lease was found to be no longer this holding's: another
	 * instance took it (it may have released it since, or let it lapse) or it was removed. That
	 * instance may have written to the replica, so this one never takes it again.
	 * @param stored the lease as read, {@code null} if it is gone
	 */
	void deposed(@Nullable LeaseRecord stored) {
		if (stored != null) {
			lostTo(stored);
			return;
		}
		if (this.lost) {
			return;
		}
		this.lost = true;
		String was = this.fencedReason;
		this.fencedReason = "its lease object was removed while this instance could not renew it, so another "
				+ "instance may have written to it" + ((was != null) ? " (this one was fenced as " + was + ")" : "");
		logger.warn("Replica '{}' ({}) lost its lease: {}. This instance stays fenced until it restarts", this.replica,
				this.location, this.fencedReason);
	}

	private static String describe(LeaseRecord holder) {
		return holder.holder() + ", epoch " + holder.epoch();
	}

	/**
	 * Stops writing until the lease is taken again.
	 * @param reason why, for the status and the log
	 */
	void fence(String reason) {
		this.window.close();
		this.role = LeaseRole.FENCED;
		this.fencedReason = reason;
		this.fencedAt = this.clock.instant();
		logger.error("Replica '{}' ({}) is fenced: {}. {}", this.replica, this.location, reason, this.lost
				? "This instance is no longer its primary: commits made here are not replicated to it, and it stays "
						+ "fenced until it restarts (another instance may have written to the replica since)"
				: "Nothing is written to it until this instance holds its lease again");
	}

	/**
	 * Stops writing and, if the lease is held, stores it released with the same epoch; left to
	 * expire instead while its first write still waits for a previous holder's last ones
	 * ({@link #held}): another instance would take a released lease and write at once.
	 */
	void release() {
		boolean wasHeld = this.role == LeaseRole.PRIMARY;
		long now = this.nanoTime.getAsLong();
		this.role = LeaseRole.NONE;
		this.window.close();
		if (!wasHeld || this.version == null || this.objects == null) {
			return;
		}
		if (this.window.firstWriteWaits(now)) {
			this.version = null;
			return;
		}
		LeaseRecord record = record(this.epoch, true);
		try {
			this.objects.replace(ReplicaLease.OBJECT, record.toJson(), this.version);
			this.current = record;
			logger.debug("Released the lease of replica '{}' ({}), epoch {}", this.replica, this.location, this.epoch);
		}
		catch (ConditionalWriteConflictException ex) {
			logger.debug("Lease of replica '{}' was taken over before its release", this.replica);
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Could not release the lease of replica '{}' ({}): {}; the next instance waits for it to "
					+ "expire ({})", this.replica, this.location, ex.getMessage(), this.options.ttl());
		}
		this.version = null;
	}

	/** Stops writing at once, leaving the stored lease to expire (see {@link ReplicaLease#abandon()}). */
	void abandon() {
		this.role = LeaseRole.NONE;
		this.window.close();
		this.version = null;
	}

	/** Holds this holding's first write until {@code nanos} (see {@link ReplicaLease#firstWriteNoSoonerThan}). */
	void notBefore(long nanos) {
		this.window.notBefore(nanos);
	}

	/**
	 * A record of this holder's, as written now.
	 * @param newEpoch its epoch
	 * @param released whether it gives the lease up
	 * @return the record
	 */
	LeaseRecord record(long newEpoch, boolean released) {
		Instant now = this.clock.instant();
		return new LeaseRecord(this.self, newEpoch, now, released ? now : now.plus(this.options.ttl()),
				this.options.ttl(), released);
	}

	/**
	 * Notes the lease as last read, for the status.
	 * @param record the lease
	 */
	void seen(LeaseRecord record) {
		this.current = record;
	}

	/**
	 * Whether a write may go out now.
	 * @return {@code true} while the lease is held and not within the safety margin of lapsing
	 */
	boolean allowsWrites() {
		long now = this.nanoTime.getAsLong();
		return this.role == LeaseRole.PRIMARY && this.window.allows(now);
	}

	/**
	 * How long this holding still waits before its first write (see {@link #held}).
	 * @return the time left, zero once writes may start or if the lease is not held
	 */
	Duration untilWritable() {
		return (this.role == LeaseRole.PRIMARY) ? this.window.untilFirstWrite() : Duration.ZERO;
	}

	/**
	 * Why a write may not go out now.
	 * @return the reason, for messages
	 */
	String whyNotWritable() {
		return switch (this.role) {
			case FENCED -> "fenced: " + this.fencedReason;
			case NONE -> "this instance does not hold its lease";
			case PRIMARY -> this.window.ended() ? "its lease was last renewed too long ago (within "
					+ this.options.safetyMargin() + " of lapsing)"
					: "it took the lease from a holder that did not release it, and waits " + this.window.takeoverWait()
							+ " (that holder's safety margin; two margins after a registration of this instance "
							+ "was removed with an upload under way) for its last writes to land";
		};
	}

	/**
	 * The lease as this instance sees it; a lease whose renewal is overdue shows as fenced.
	 * @return the status
	 */
	LeaseStatus status() {
		LeaseRole now = this.role;
		String reason = this.fencedReason;
		Instant at = this.fencedAt;
		// Waiting out a previous holder's last writes is not a fence: the lease is held.
		if (now == LeaseRole.PRIMARY && this.window.ended()) {
			now = LeaseRole.FENCED;
			reason = whyNotWritable();
		}
		return new LeaseStatus(now, this.current, this.self, reason, at, now == LeaseRole.FENCED && this.lost);
	}

	LeaseRole role() {
		return this.role;
	}

	@Nullable LeaseRecord current() {
		return this.current;
	}

	long epoch() {
		return this.epoch;
	}

	boolean everHeld() {
		return this.everHeld;
	}

	/**
	 * Whether a stored lease is handed over to this holding within this instance (a standby to
	 * the engine it promotes, leases taken ahead of a restore): this instance's record, neither
	 * released nor expired, and this holding never held it ({@code null}, no record, is not).
	 */
	boolean handedOver(@Nullable LeaseRecord stored) {
		return stored != null && stored.holder().instance().equals(this.self.instance()) && !this.everHeld && !stored.released()
				&& this.clock.instant().isBefore(stored.expiresAt());
	}

	/** Whether another instance took the lease from this holding (deposed until a restart). */
	boolean lost() {
		return this.lost;
	}

	boolean followedAnother() {
		return this.followedAnother;
	}

	long acquisitions() {
		return this.acquisitions;
	}

}
