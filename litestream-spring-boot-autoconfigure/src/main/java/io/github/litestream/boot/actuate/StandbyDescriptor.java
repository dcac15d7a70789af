package io.github.litestream.boot.actuate;

import java.time.Instant;
import java.util.Locale;

import io.github.litestream.StandbyStatus;
import io.github.litestream.boot.autoconfigure.StandbyDatabase;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.restore.FollowerStatus;
import org.jspecify.annotations.Nullable;

/**
 * A database this instance waits to take over ({@code litestream.dbs[n].standby=true}), in the
 * endpoint and the health details: who holds it and how far behind the follower is. Once this
 * instance took over, the database is listed with the others (its lease's role is then
 * {@code primary}).
 *
 * @param path the database file
 * @param property the entry that configures it
 * @param role {@code standby}, or {@code failed} when it cannot take over or took over but
 * the work deferred to the takeover failed
 * @param state where the standby is: {@code STANDBY}, {@code PROMOTING}, {@code FAILED}...
 * @param holder the instance id of the lease's holder, as last read
 * @param host the holder's host
 * @param pid the holder's process id
 * @param epoch the lease's epoch
 * @param expiresAt when the holder's lease lapses without renewal
 * @param caughtUp whether the follower applied everything the replica held at its last poll
 * @param position how far the local file got, {@code <generation>/<index>:<offset>} in hex
 * @param segmentsBehind WAL segments listed and not applied yet
 * @param bytesBehind their compressed size
 * @param lagSeconds how long the oldest segment not applied yet has been in the replica
 * @param lastPoll when the replica was last listed
 * @param lastError the last failure to follow, to read the lease or to take over
 */
public record StandbyDescriptor(String path, String property, String role, String state, @Nullable String holder,
		@Nullable String host, @Nullable Long pid, @Nullable Long epoch, @Nullable Instant expiresAt,
		boolean caughtUp, @Nullable String position, int segmentsBehind, long bytesBehind, double lagSeconds,
		@Nullable Instant lastPoll, @Nullable String lastError) {

	static StandbyDescriptor of(StandbyDatabase database, Instant now) {
		String failure = database.failure();
		StandbyStatus status = database.status().orElse(null);
		if (status == null) {
			return new StandbyDescriptor(database.path().toString(), database.property(),
					(failure != null) ? "failed" : "standby", (failure != null) ? "FAILED" : "STARTING", null, null,
					null, null, null, false, null, 0, 0, 0, null, failure);
		}
		LeaseRecord lease = status.lease();
		FollowerStatus follower = status.follower();
		boolean failed = failure != null || status.state() == io.github.litestream.Standby.State.FAILED;
		String error = (failure != null) ? failure
				: (status.lastError() != null) ? status.lastError() : follower.lastError();
		return new StandbyDescriptor(database.path().toString(), database.property(), failed ? "failed" : "standby",
				status.state().name().toUpperCase(Locale.ROOT), (lease != null) ? lease.holder().instance() : null,
				(lease != null) ? lease.holder().host() : null, (lease != null) ? lease.holder().pid() : null,
				(lease != null) ? lease.epoch() : null, (lease != null) ? lease.expiresAt() : null,
				follower.caughtUp(), LitestreamEndpoint.format(follower.position()), follower.segmentsBehind(),
				follower.bytesBehind(), follower.lag(now).toMillis() / 1000.0, follower.lastPollAt(), error);
	}

}
