package io.github.litestream.lease;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A replica's lease as this instance sees it, for the endpoint, health and metrics.
 *
 * @param role this instance's role for the replica
 * @param record the lease as last written or read, {@code null} before any
 * @param self this instance
 * @param fencedReason why writing stopped, {@code null} unless fenced
 * @param fencedAt when writing stopped, {@code null} unless fenced
 * @param lost whether, while fenced, the lease is known to be another instance's (it replaced
 * ours): this instance is no longer the primary. A fenced instance that merely cannot reach the
 * store does not know that.
 */
public record LeaseStatus(LeaseRole role, @Nullable LeaseRecord record, LeaseHolder self, @Nullable String fencedReason,
		@Nullable Instant fencedAt, boolean lost) {

	/**
	 * Whether this instance may not write to the replica now because it lost the lease.
	 * @return {@code true} when fenced
	 */
	public boolean fenced() {
		return this.role == LeaseRole.FENCED;
	}

}
