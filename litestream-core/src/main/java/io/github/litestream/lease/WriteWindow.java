package io.github.litestream.lease;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * When a {@link LeaseHolding} may write, by this process's monotonic clock: from the moment its
 * first write may go out (after a previous holder's last writes, see {@link #opening}) until its
 * last renewal was sent plus the ttl, minus the safety margin. The check before every write
 * reads it without the lease's lock (after the holding's role, which is set after it); it
 * changes only with that lock held.
 */
final class WriteWindow {

	private final LeaseOptions options;

	private final LongSupplier nanoTime;

	private volatile long untilNanos;

	/** Before this, writes wait for a previous holder's last ones (see {@link #opening}). */
	private volatile long fromNanos;

	/** The wait before the first write of this holding, for messages; zero if there is none. */
	private volatile Duration takeoverWait = Duration.ZERO;

	/** Of a successor of an abandoned holding: its first write waits until then. */
	private @Nullable Long notBeforeNanos;

	WriteWindow(LeaseOptions options, LongSupplier nanoTime) {
		this.options = options;
		this.nanoTime = nanoTime;
	}

	/**
	 * An acquisition: the first write waits {@code wait} from now, or longer for an abandoned
	 * holding's writes (see {@link #notBefore}).
	 * @param wait the previous holder's safety margin, or zero
	 */
	void opening(Duration wait) {
		long now = this.nanoTime.getAsLong();
		long from = now + wait.toNanos();
		if (this.notBeforeNanos != null && this.notBeforeNanos - from > 0) {
			// An abandoned registration of this instance's may still write: its wait is longer.
			from = this.notBeforeNanos;
		}
		this.fromNanos = from;
		this.takeoverWait = Duration.ofNanos(from - now);
	}

	/**
	 * A record of this holding's reached the store: writes may go on until it was sent plus the
	 * ttl, minus the safety margin.
	 * @param sentNanos when it was sent
	 */
	void renewed(long sentNanos) {
		this.untilNanos = sentNanos + this.options.ttl().toNanos() - this.options.safetyMargin().toNanos();
	}

	/** Ends the window now: fenced, released or abandoned. */
	void close() {
		this.untilNanos = this.nanoTime.getAsLong();
	}

	/** Holds the first write of the next acquisition until {@code nanos}. */
	void notBefore(long nanos) {
		this.notBeforeNanos = nanos;
	}

	/** Whether a write may go out at {@code now}, for a holding that holds the lease. */
	boolean allows(long now) {
		return now - this.untilNanos < 0 && now - this.fromNanos >= 0;
	}

	/** Whether, at {@code now}, the first write still waits for a previous holder's last ones. */
	boolean firstWriteWaits(long now) {
		return now - this.fromNanos < 0;
	}

	/** How long until the first write may go out; zero once it may. */
	Duration untilFirstWrite() {
		long left = this.fromNanos - this.nanoTime.getAsLong();
		return (left > 0) ? Duration.ofNanos(left) : Duration.ZERO;
	}

	/** Whether the window of the last renewal ended (the lease may lapse soon). */
	boolean ended() {
		return this.nanoTime.getAsLong() - this.untilNanos >= 0;
	}

	Duration takeoverWait() {
		return this.takeoverWait;
	}

}
