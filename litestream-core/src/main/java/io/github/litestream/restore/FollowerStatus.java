package io.github.litestream.restore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * How far a {@link ReplicaFollower} has got, and how far behind the replica it is.
 *
 * @param position the end of what the local database holds, or {@code null} before the first
 * restore finished
 * @param segmentsBehind WAL segments of the generation the last listing showed after the
 * position and not applied yet
 * @param bytesBehind their compressed size
 * @param newestObjectAt when the newest WAL segment of the generation was stored, as of the last
 * listing, or {@code null}
 * @param oldestPendingAt when the oldest segment not applied yet was stored, or {@code null} when
 * none is pending
 * @param lastPollAt when the replica was last listed successfully, or {@code null}
 * @param lastError the last failure, or {@code null}
 * @param failingSince since when every poll failed, or {@code null} while they succeed
 * @param restores how many full restores the follower ran (the first one included): a new
 * generation, or WAL that retention deleted before it was applied, costs one
 * @param stopped whether the follower stopped on its own (its thread was interrupted, or died of
 * an error): it applies nothing any more, and {@code lastError} says why
 */
public record FollowerStatus(Pos position, int segmentsBehind, long bytesBehind, Instant newestObjectAt,
		Instant oldestPendingAt, Instant lastPollAt, String lastError, Instant failingSince, int restores,
		boolean stopped) {

	/**
	 * How long the oldest change the follower has not applied has been in the replica.
	 * @param now the current time
	 * @return zero when nothing is pending
	 */
	public Duration lag(Instant now) {
		return (this.oldestPendingAt != null) ? Duration.between(this.oldestPendingAt, now) : Duration.ZERO;
	}

	/**
	 * Whether the last poll applied everything the replica held of the generation.
	 * @return {@code true} when caught up and not failing
	 */
	public boolean caughtUp() {
		return this.position != null && this.segmentsBehind == 0 && this.failingSince == null && !this.stopped;
	}

	/**
	 * After a listing: {@code pending} segments still to apply out of the generation's
	 * {@code segments}. A failure on record stays until the poll has shown it is over (a segment
	 * applied, or nothing to apply): a poll that fails again must not read as healthy meanwhile.
	 */
	FollowerStatus polled(Pos at, List<WalSegmentInfo> pending, List<WalSegmentInfo> segments, Instant polledAt,
			boolean progressed) {
		Instant newest = segments.stream().map(WalSegmentInfo::createdAt).max(Instant::compareTo).orElse(null);
		Instant oldest = pending.stream().map(WalSegmentInfo::createdAt).min(Instant::compareTo).orElse(null);
		long bytes = pending.stream().mapToLong(WalSegmentInfo::size).sum();
		boolean over = progressed || pending.isEmpty();
		return new FollowerStatus(at, pending.size(), bytes, newest, oldest, polledAt, over ? null : this.lastError,
				over ? null : this.failingSince, this.restores, this.stopped);
	}

	/** After a full restore to {@code at}. */
	FollowerStatus restored(Pos at, Instant now) {
		return new FollowerStatus(at, 0, 0, this.newestObjectAt, null, now, null, null, this.restores + 1,
				this.stopped);
	}

	/** After a listing that found no backup to restore. */
	FollowerStatus noBackup(Instant now) {
		return new FollowerStatus(null, 0, 0, null, null, now, null, null, this.restores, this.stopped);
	}

	/** After a failed poll: failing since the first failure in a row. */
	FollowerStatus failed(String error, Instant now) {
		return new FollowerStatus(this.position, this.segmentsBehind, this.bytesBehind, this.newestObjectAt,
				this.oldestPendingAt, this.lastPollAt, error, (this.failingSince != null) ? this.failingSince : now,
				this.restores, this.stopped);
	}

	/**
	 * After the follower stopped on its own: reported as a failure (since now, unless polls were
	 * failing already), as a follower that polls no more falls behind for good.
	 */
	FollowerStatus stopped(String error, Instant now) {
		FollowerStatus failed = failed(error, now);
		return new FollowerStatus(failed.position, failed.segmentsBehind, failed.bytesBehind, failed.newestObjectAt,
				failed.oldestPendingAt, failed.lastPollAt, failed.lastError, failed.failingSince, failed.restores, true);
	}

}
