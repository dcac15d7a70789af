package io.github.litestream.lease;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The room between the last write an old holder may start and the first write of the instance
 * that takes its lease, on a real file replica, with one monotonic clock that the test moves
 * for every instance: the old holder stops a safety margin before its lease can lapse, and an
 * instance that takes a lease nobody released waits that holder's margin again before writing,
 * so that a write of the old holder that passed its check just in time (a pause, a slow
 * request) lands before the new holder's first one. A lease that was released, or was never
 * another instance's, is written to at once.
 */
class TakeoverMarginTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(10));

	private static final long STEP = Duration.ofMillis(50).toNanos();

	@TempDir
	Path temp;

	/** The monotonic clock of every instance in the test. */
	private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

	private ConditionalObjects objects;

	@BeforeEach
	void replica() {
		this.objects = new FileReplicaClient(this.temp.resolve("replica")).conditionalObjects().orElseThrow();
	}

	@Test
	void aLeaseTakenFromAHolderThatStoppedRenewingIsWrittenTwoMarginsAfterTheHoldersLastWrite() throws IOException {
		ReplicaLease old = lease(LeaseHolder.newInstance());
		old.acquire();
		ReplicaLease next = lease(LeaseHolder.newInstance());
		long lastOldWrite = Long.MIN_VALUE;
		long firstNextWrite = Long.MIN_VALUE;
		boolean taken = false;
		long end = this.nanos.get() + LEASE.ttl().multipliedBy(3).toNanos();
		// The old holder renews no more (a pause, a crash); the next one watches, takes, writes.
		while (firstNextWrite == Long.MIN_VALUE && this.nanos.get() < end) {
			taken = taken || next.tryAcquire() == LeaseAttempt.ACQUIRED;
			assertThat(old.allowsWrites() && next.allowsWrites()).as("both writable at once").isFalse();
			if (old.allowsWrites()) {
				lastOldWrite = this.nanos.get();
			}
			if (next.allowsWrites()) {
				firstNextWrite = this.nanos.get();
			}
			else if (taken) {
				assertThat(next.status().role()).as("waiting is no fence: it holds the lease").isEqualTo(LeaseRole.PRIMARY);
				assertThatExceptionOfType(LeaseFencedException.class).isThrownBy(next::checkWritable)
					.withMessageContaining("did not release it");
			}
			this.nanos.addAndGet(STEP);
		}
		assertThat(taken).isTrue();
		assertThat(firstNextWrite).as("the next holder writes at last").isNotEqualTo(Long.MIN_VALUE);
		assertThat(Duration.ofNanos(firstNextWrite - lastOldWrite))
			.as("the old holder's margin before its lease lapsed, and the next one's after it took it")
			.isGreaterThanOrEqualTo(LEASE.safetyMargin().multipliedBy(2));
	}

	@Test
	void aLeaseExpiredLongAgoIsTakenAtOnceButWrittenOnlyAfterItsHoldersMargin() throws IOException {
		// Judged by the two wall clocks, which may disagree by more than a ttl: its holder may be alive.
		Duration theirTtl = Duration.ofSeconds(30);
		Instant longAgo = Instant.now().minus(Duration.ofHours(1));
		this.objects.create(ReplicaLease.OBJECT, new LeaseRecord(new LeaseHolder("gone", "old-host", 1), 41, longAgo,
				longAgo.plus(theirTtl), theirTtl, false)
			.toJson());
		ReplicaLease next = lease(LeaseHolder.newInstance());
		assertThat(next.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(next.untilWritable()).as("a fifth of the old holder's ttl").isEqualTo(Duration.ofSeconds(6));
		assertThat(next.allowsWrites()).isFalse();
		assertThat(next.status().role()).isEqualTo(LeaseRole.PRIMARY);
		this.nanos.addAndGet(Duration.ofSeconds(6).toNanos() - 1);
		assertThat(next.allowsWrites()).isFalse();
		this.nanos.incrementAndGet();
		assertThat(next.allowsWrites()).isTrue();
		assertThat(next.untilWritable()).isZero();
	}

	@Test
	void aLeaseNobodyElseMayBeWritingUnderIsWrittenAtOnce() throws IOException {
		// Missing: nobody held it.
		ReplicaLease first = lease(LeaseHolder.newInstance());
		first.acquire();
		assertThat(first.allowsWrites()).isTrue();
		// Handed over within one instance (a standby to its engine): the standby waited already.
		ReplicaLease engine = lease(first.status().self());
		assertThat(engine.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(engine.allowsWrites()).isTrue();
		// Released after the holder's last write.
		engine.release();
		ReplicaLease afterRelease = lease(LeaseHolder.newInstance());
		assertThat(afterRelease.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(afterRelease.allowsWrites()).isTrue();
	}

	@Test
	void aLeaseGivenUpWhileItsFirstWriteWaitsIsLeftToExpire() throws IOException {
		Instant longAgo = Instant.now().minus(Duration.ofHours(1));
		this.objects.create(ReplicaLease.OBJECT, new LeaseRecord(new LeaseHolder("gone", "old-host", 1), 41, longAgo,
				longAgo.plus(LEASE.ttl()), LEASE.ttl(), false)
			.toJson());
		ReplicaLease next = lease(LeaseHolder.newInstance());
		assertThat(next.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(next.untilWritable()).isPositive();
		// Given up before its first write (a registration that failed): the old holder's last
		// writes may still land, and a released lease is taken and written at once.
		next.release();
		assertThat(stored().released()).as("left to expire").isFalse();
		assertThat(stored().epoch()).isEqualTo(42);

		// Its own again, nothing to wait for: released as usual.
		assertThat(next.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(next.untilWritable()).isZero();
		next.release();
		assertThat(stored().released()).isTrue();
	}

	private LeaseRecord stored() throws IOException {
		return LeaseRecord.parse(this.objects.read(ReplicaLease.OBJECT).orElseThrow().content());
	}

	private ReplicaLease lease(LeaseHolder holder) {
		return new ReplicaLease("file", this.temp.resolve("replica").toString(), this.objects, LEASE, holder,
				Clock.systemUTC(), this.nanos::get);
	}

}
