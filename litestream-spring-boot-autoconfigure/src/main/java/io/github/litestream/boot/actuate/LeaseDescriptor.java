package io.github.litestream.boot.actuate;

import java.time.Instant;
import java.util.Locale;

import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseStatus;
import org.jspecify.annotations.Nullable;

/**
 * A replica's lease in the endpoint and the health details.
 *
 * @param role this instance's role for the replica: {@code primary}, {@code fenced} or
 * {@code none}
 * @param holder the instance id of the lease's holder, as last seen
 * @param host the holder's host
 * @param pid the holder's process id
 * @param self whether the holder is this instance
 * @param epoch the lease's epoch
 * @param expiresAt when the lease lapses without renewal, by the holder's clock
 * @param fencedReason why this instance stopped writing, when fenced
 * @param fencedAt when it stopped, when fenced
 * @param lost whether, while fenced, another instance is known to hold the lease (this one is
 * then no longer the primary, and not ready)
 */
public record LeaseDescriptor(String role, @Nullable String holder, @Nullable String host, @Nullable Long pid,
		boolean self, @Nullable Long epoch, @Nullable Instant expiresAt, @Nullable String fencedReason,
		@Nullable Instant fencedAt, boolean lost) {

	static LeaseDescriptor of(LeaseStatus status) {
		LeaseRecord record = status.record();
		String role = status.role().name().toLowerCase(Locale.ROOT);
		if (record == null) {
			return new LeaseDescriptor(role, null, null, null, false, null, null, status.fencedReason(),
					status.fencedAt(), status.lost());
		}
		return new LeaseDescriptor(role, record.holder().instance(), record.holder().host(), record.holder().pid(),
				record.holder().equals(status.self()), record.epoch(), record.expiresAt(), status.fencedReason(),
				status.fencedAt(), status.lost());
	}

}
