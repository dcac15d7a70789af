package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseAttempt;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ForwardingConditionalObjects;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
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
				rivalKeepsTrying(rival, rivalAttempts);
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
				rivalKeepsTrying(rival, rivalAttempts);
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

	@Test
	void theStandbyRenewsWhileItsRegistrationWaitsForTheEngine() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		Path database = this.dir.resolve("standby.db");
		LeaseHolder self = LeaseHolder.newInstance();
		ReplicaLease rival = lease(LeaseHolder.newInstance());
		List<LeaseAttempt> rivalAttempts = new CopyOnWriteArrayList<>();
		Litestream engine = new Litestream(Clock.systemUTC(), null, EngineThreads.defaults(), self);
		engine.start();
		DatabaseRegistry registry = new DatabaseRegistry(engine);
		// The engine busy for three ttls (a stop flushing to a slow store, say),
		// while another instance keeps trying to take the standby's lease.
		CountDownLatch engineBusy = new CountDownLatch(1);
		Thread busy = new Thread(() -> {
			synchronized (engine) {
				engineBusy.countDown();
				rivalKeepsTrying(rival, rivalAttempts);
			}
		}, "engine-busy");
		try (Standby standby = new Standby("r0", new FileReplicaClient(replicaRoot), database, LEASE, self,
				ReplicaFollowerTests.FAST, Duration.ofMillis(100), Clock.systemUTC())) {
			standby.start((position) -> {
				// A new database, as the deferred migration creates it.
				try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database)) {
					PageWriter.createTable(connection, 10);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
				busy.start();
				awaitLatch(engineBusy);
				registry.registerPromoted(DatabaseOptions.defaults(database), LEASE, List.of(new Litestream.ReplicationTarget(
						new FileReplicaClient(replicaRoot), ReplicaOptions.defaults("r0"))), standby);
			});
			assertThat(standby.awaitPrimary(Duration.ofSeconds(30))).as("promoted: %s", standby.status()).isTrue();
			busy.join();
			assertThat(rivalAttempts).hasSizeGreaterThan(20).doesNotContain(LeaseAttempt.ACQUIRED);
			ReplicatedDatabase replicated = registry.find(database).orElseThrow();
			LeaseStatus taken = engine.lease(engine.replicas(replicated).get(0)).orElseThrow();
			assertThat(taken.role()).isEqualTo(LeaseRole.PRIMARY);
			assertThat(taken.record().epoch()).as("one holding: the standby's, handed to its engine").isEqualTo(1);
		}
		finally {
			engine.stop(Duration.ofSeconds(10));
			engine.close();
		}
	}

	/** Another instance tries to take the lease for three ttls, every 100 ms, and must not. */
	private static void rivalKeepsTrying(ReplicaLease rival, List<LeaseAttempt> attempts) {
		await().during(LEASE.ttl().multipliedBy(3))
			.atMost(LEASE.ttl().multipliedBy(6))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> {
				LeaseAttempt attempt = rival.tryAcquire();
				attempts.add(attempt);
				return attempt != LeaseAttempt.ACQUIRED;
			});
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private ReplicaLease lease(LeaseHolder holder) {
		FileReplicaClient client = new FileReplicaClient(this.dir.resolve("replica"));
		return new ReplicaLease("r0", client.location(), client.conditionalObjects().orElseThrow(), LEASE, holder,
				Clock.systemUTC());
	}

	/** A real store that refuses as many writes as {@code failures} says, then works again. */
	private static final class OnceFailingObjects extends ForwardingConditionalObjects {

		private final AtomicInteger failures;

		OnceFailingObjects(ConditionalObjects store, AtomicInteger failures) {
			super(store);
			this.failures = failures;
		}

		@Override
		public String replace(String name, byte[] content, String version) throws IOException {
			if (this.failures.getAndDecrement() > 0) {
				throw new IOException("503 Slow Down");
			}
			return super.replace(name, content, version);
		}

	}

}
