package io.github.litestream;

import java.time.Instant;

import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.restore.FollowerStatus;

/**
 * A {@link Standby} as it sees itself, for the endpoint and health.
 *
 * @param state where it is
 * @param lease the lease as last read (holder, epoch, expiry), or {@code null} before any read
 * @param follower how far the follower got, and how far behind the replica it is
 * @param lastLeaseRead when the lease was last read, or {@code null}
 * @param lastError the last failure to read the lease or to be promoted, or {@code null}
 */
public record StandbyStatus(Standby.State state, LeaseRecord lease, FollowerStatus follower, Instant lastLeaseRead,
		String lastError) {
}
