package io.github.litestream.restore;

import java.time.Duration;
import java.time.Instant;

import io.github.litestream.replica.Pos;

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
 */
public record FollowerStatus(Pos position, int segmentsBehind, long bytesBehind, Instant newestObjectAt,
		Instant oldestPendingAt, Instant lastPollAt, String lastError, Instant failingSince, int restores) {

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
		return this.position != null && this.segmentsBehind == 0 && this.failingSince == null;
	}

}
