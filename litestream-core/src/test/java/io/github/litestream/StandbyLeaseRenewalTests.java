package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.litestream.lease.LeaseAttempt;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ConditionalObjects.VersionedObject;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A standby's takeover that takes longer than the lease's ttl before its engine starts (a
 * schema migration of a new database): the standby renews the lease it took meanwhile, so no
 * other instance can take it, and stops when the promotion hands it over, so that its engine
 * takes it over in the same holding (one epoch) and keeps it.
 */
class StandbyLeaseRenewalTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	@TempDir
	Path dir;

	@Test
	void aLongTakeoverKeepsTheLeaseAndHandsItToTheEngine() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		LeaseHolder self = LeaseHolder.newInstance();
		ReplicaClient client = new FileReplicaClient(replicaRoot);
		ReplicaLease rival = lease(LeaseHolder.newInstance());
		// Filled on Awaitility's polling thread.
		List<LeaseAttempt> rivalAttempts = new CopyOnWriteArrayList<>();
		AtomicReference<ReplicaLease> engineLease = new AtomicReference<>();
		try (Standby standby = new Standby("r0", client, this.dir.resolve("standby.db"), LEASE, self,
				ReplicaFollowerTests.FAST, Duration.ofMillis(100), Clock.systemUTC())) {
			standby.start((position) -> {
				// The migration: three ttls, while another instance keeps trying to take the lease.
				await().during(LEASE.ttl().multipliedBy(3))
					.atMost(LEASE.ttl().multipliedBy(6))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> {
						LeaseAttempt attempt = rival.tryAcquire();
						rivalAttempts.add(attempt);
						return attempt != LeaseAttempt.ACQUIRED;
					});
				standby.handOverLease();
				ReplicaLease engine = lease(self);
				engine.acquire();
				engineLease.set(engine);
			});
			assertThat(standby.awaitPrimary(Duration.ofSeconds(30))).as("promoted: %s", standby.status()).isTrue();
		}
		assertThat(rivalAttempts).hasSizeGreaterThan(20).doesNotContain(LeaseAttempt.ACQUIRED);
		ReplicaLease engine = engineLease.get();
		LeaseRecord taken = engine.status().record();
		// Renewed by the engine now, for longer than a ttl: nothing else writes the lease.
		await().during(LEASE.ttl().multipliedBy(2))
			.atMost(LEASE.ttl().multipliedBy(4))
			.pollInterval(LEASE.renewInterval())
			.until(() -> engine.renew() == LeaseRole.PRIMARY);
		assertThat(rival.tryAcquire()).isNotEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(engine.status().record().holder()).isEqualTo(self);
		assertThat(engine.status().record().epoch()).as("one holding: the standby's, handed to its engine")
			.isEqualTo(taken.epoch())
			.isEqualTo(1);
		engine.release();
	}

	@Test
	void aRenewalThatFailsIsTriedAgainSoTheLeaseIsKept() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		LeaseHolder self = LeaseHolder.newInstance();
		// The standby's store refuses one write once the promotion begins, as an S3 503 would.
		AtomicInteger failingWrites = new AtomicInteger();
		ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(replicaRoot)) {
			@Override
			public Optional<ConditionalObjects> conditionalObjects() {
				return super.conditionalObjects().map((store) -> new OnceFailingObjects(store, failingWrites));
			}
		};
		ReplicaLease rival = lease(LeaseHolder.newInstance());
		List<LeaseAttempt> rivalAttempts = new CopyOnWriteArrayList<>();
		try (Standby standby = new Standby("r0", client, this.dir.resolve("standby.db"), LEASE, self,
				ReplicaFollowerTests.FAST, Duration.ofMillis(100), Clock.systemUTC())) {
			standby.start((position) -> {
				failingWrites.set(1);
				await().during(LEASE.ttl().multipliedBy(3))
					.atMost(LEASE.ttl().multipliedBy(6))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> {
						LeaseAttempt attempt = rival.tryAcquire();
						rivalAttempts.add(attempt);
						return attempt != LeaseAttempt.ACQUIRED;
					});
				standby.handOverLease();
				ReplicaLease engine = lease(self);
				engine.acquire();
				engine.release();
			});
			assertThat(standby.awaitPrimary(Duration.ofSeconds(30))).as("promoted: %s", standby.status()).isTrue();
		}
		assertThat(failingWrites).as("the failed renewal happened").hasNegativeValue();
		assertThat(rivalAttempts).hasSizeGreaterThan(20).doesNotContain(LeaseAttempt.ACQUIRED);
	}

	private ReplicaLease lease(LeaseHolder holder) {
		FileReplicaClient client = new FileReplicaClient(this.dir.resolve("replica"));
		return new ReplicaLease("r0", client.location(), client.conditionalObjects().orElseThrow(), LEASE, holder,
				Clock.systemUTC());
	}

	/** A real store that refuses as many writes as {@code failures} says, then works again. */
	private record OnceFailingObjects(ConditionalObjects store, AtomicInteger failures) implements ConditionalObjects {

		@Override
		public Optional<VersionedObject> read(String name) throws IOException {
			return this.store.read(name);
		}

		@Override
		public String create(String name, byte[] content) throws IOException {
			return this.store.create(name, content);
		}

		@Override
		public String replace(String name, byte[] content, String version) throws IOException {
			if (this.failures.getAndDecrement() > 0) {
				throw new IOException("503 Slow Down");
			}
			return this.store.replace(name, content, version);
		}

	}

}
