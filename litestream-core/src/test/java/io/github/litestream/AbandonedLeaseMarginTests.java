package io.github.litestream;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leases an engine abandons (a database removed, or the engine closed, while an upload runs)
 * stop writing at once, and the wait after them is measured by the monotonic clock the engine's
 * leases run on, which the test moves: the same replica's lease taken again by the same engine (a
 * registration again, a start after the close) writes no sooner than two safety margins after the
 * abandoned one stopped, and at once from then on. Real file replica, the engine's lease keeper;
 * nothing waits for real time.
 */
class AbandonedLeaseMarginTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(10));

	private static final long TWO_MARGINS = LEASE.safetyMargin().multipliedBy(2).toNanos();

	@TempDir
	Path dir;

	/** The engine's monotonic clock; far from {@link System#nanoTime()}, so that mixing the two shows. */
	private final AtomicLong nanos = new AtomicLong(-7_000_000_000_000_000L);

	private final LeaseKeeper keeper = new LeaseKeeper(this.nanos::get);

	private final LeaseHolder holder = LeaseHolder.newInstance();

	@AfterEach
	void close() {
		this.keeper.abandonAll();
	}

	@Test
	void aDatabaseRegisteredAgainWritesTwoMarginsAfterItsAbandonedLeaseStopped() throws Exception {
		ReplicatedDatabase removed = database();
		ReplicaLease abandoned = lease(removed);
		this.keeper.acquire(removed);
		assertThat(abandoned.allowsWrites()).isTrue();
		this.keeper.abandon(removed);
		assertThat(abandoned.allowsWrites()).as("stops writing at once").isFalse();
		long stopped = this.nanos.get();

		this.nanos.addAndGet(TWO_MARGINS / 3);
		ReplicatedDatabase again = database();
		ReplicaLease next = lease(again);
		this.keeper.acquire(again);
		assertThat(next.status().role()).isEqualTo(LeaseRole.PRIMARY);
		assertWritableFrom(next, stopped + TWO_MARGINS);
	}

	@Test
	void leasesAbandonedAtCloseStopWritingAtOnceAndAreWrittenTwoMarginsLaterOnTheNextStart() throws Exception {
		ReplicatedDatabase database = database();
		ReplicaLease lease = lease(database);
		this.keeper.acquireAll(List.of(database), () -> {
		});
		this.keeper.startRenewing(1);
		assertThat(lease.allowsWrites()).isTrue();
		this.keeper.abandonAll();
		assertThat(lease.allowsWrites()).as("stops writing at once").isFalse();
		long stopped = this.nanos.get();

		this.nanos.addAndGet(TWO_MARGINS / 3);
		this.keeper.acquireAll(List.of(database), () -> {
		});
		assertThat(lease.status().role()).isEqualTo(LeaseRole.PRIMARY);
		assertWritableFrom(lease, stopped + TWO_MARGINS);
	}

	@Test
	void aLeaseReleasedWhileItsFirstWriteWaitsIsLeftToExpireAndItsSuccessorWaitsToo() throws Exception {
		ReplicatedDatabase removed = database();
		lease(removed);
		this.keeper.acquire(removed);
		this.keeper.abandon(removed);
		long stopped = this.nanos.get();

		// Registered again, and that registration fails before its first write was due; the
		// next registration again must still wait for the abandoned lease.
		ReplicatedDatabase failed = database();
		ReplicaLease waiting = lease(failed);
		this.keeper.acquire(failed);
		assertThat(waiting.untilWritable()).isPositive();
		this.nanos.addAndGet(TWO_MARGINS / 3);
		this.keeper.release(failed);
		assertThat(storedLease().released()).as("left to expire: another instance would write at once").isFalse();

		ReplicatedDatabase again = database();
		ReplicaLease next = lease(again);
		this.keeper.acquire(again);
		assertWritableFrom(next, stopped + TWO_MARGINS);
	}

	@Test
	void aLeaseReleasedOnceItsWritesWereDueIsStoredReleased() throws Exception {
		ReplicatedDatabase database = database();
		ReplicaLease lease = lease(database);
		this.keeper.acquire(database);
		assertThat(lease.allowsWrites()).isTrue();
		this.keeper.release(database);
		assertThat(storedLease().released()).isTrue();
	}

	private LeaseRecord storedLease() throws Exception {
		return LeaseRecord.parse(new FileReplicaClient(this.dir.resolve("replica")).conditionalObjects()
			.orElseThrow()
			.read(ReplicaLease.OBJECT)
			.orElseThrow()
			.content());
	}

	private void assertWritableFrom(ReplicaLease lease, long from) {
		this.nanos.set(from - 1);
		assertThat(lease.allowsWrites()).as("one nanosecond before two margins passed").isFalse();
		assertThat(lease.untilWritable()).isEqualTo(Duration.ofNanos(1));
		this.nanos.set(from);
		assertThat(lease.allowsWrites()).isTrue();
	}

	private ReplicatedDatabase database() {
		return new ReplicatedDatabase(DatabaseOptions.defaults(this.dir.resolve("app.db")));
	}

	private ReplicaLease lease(ReplicatedDatabase database) {
		FileReplicaClient client = new FileReplicaClient(this.dir.resolve("replica"));
		Replica replica = this.keeper.leased(database, new ReplicationTarget(client, ReplicaOptions.defaults("file")),
				LEASE, this.holder, Clock.systemUTC());
		return this.keeper.of(replica).orElseThrow();
	}

}
