package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.github.litestream.lease.LeaseAttempt;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A standby that takes a released lease before it has applied all the replica holds (its first
 * restore is still downloading) waits for that before it becomes primary: promoted earlier, it
 * would serve an empty or older database and start a generation from it.
 */
class StandbyCatchUpTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	@TempDir
	Path dir;

	@Test
	void aStandbyStillRestoringWhenItTakesTheLeaseBecomesPrimaryOnlyOnceItHasEverything() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		ConsistencyOracle oracle = new ConsistencyOracle(OracleEngine.ROWS);
		Pos end;
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("primary.db"), oracle, true, true, LEASE,
				LeaseHolder.newInstance(), new FileReplicaClient(replicaRoot))) {
			primary.commit(20);
			primary.awaitReplicated();
			end = primary.database().position().orElseThrow();
		}
		CountDownLatch downloading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		ReplicaClient slow = new ForwardingReplicaClient(new FileReplicaClient(replicaRoot)) {

			@Override
			public InputStream openSnapshot(String generation, long index) throws IOException {
				downloading.countDown();
				try {
					release.await(60, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					throw new java.io.InterruptedIOException();
				}
				return super.openSnapshot(generation, index);
			}

		};
		Path database = this.dir.resolve("standby.db");
		AtomicReference<Optional<Pos>> promotedAt = new AtomicReference<>();
		try (Standby standby = new Standby("r0", slow, database, LEASE, LeaseHolder.newInstance(),
				ReplicaFollowerTests.FAST, Duration.ofMillis(100), Clock.systemUTC())) {
			standby.start((position) -> {
				promotedAt.set(position);
				standby.handOverLease();
			});
			assertThat(downloading.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(standby.awaitPrimary(LEASE.ttl().multipliedBy(3))).as("not primary while restoring: %s",
					standby.status()).isFalse();
			assertThat(promotedAt.get()).isNull();
			assertThat(standby.status().state()).isEqualTo(Standby.State.PROMOTING);
			release.countDown();
			assertThat(standby.awaitPrimary(Duration.ofSeconds(30))).as("promoted: %s", standby.status()).isTrue();
		}
		finally {
			release.countDown();
		}
		assertThat(promotedAt.get()).as("the followed position: the generation continues").contains(end);
		assertThat(oracle.check(database).state()).isEqualTo(oracle.lastLogged());
	}

	@Test
	void aStandbyThatCannotFollowGivesTheLeaseBackInsteadOfHoldingItForEver() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		ConsistencyOracle oracle = new ConsistencyOracle(OracleEngine.ROWS);
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("primary.db"), oracle, true, true, LEASE,
				LeaseHolder.newInstance(), new FileReplicaClient(replicaRoot))) {
			primary.commit(10);
			primary.awaitReplicated();
		}
		AtomicBoolean broken = new AtomicBoolean(true);
		ReplicaClient failing = new ForwardingReplicaClient(new FileReplicaClient(replicaRoot)) {

			@Override
			public InputStream openSnapshot(String generation, long index) throws IOException {
				if (broken.get()) {
					throw new IOException("snapshot unreadable (test)");
				}
				return super.openSnapshot(generation, index);
			}

		};
		FileReplicaClient files = new FileReplicaClient(replicaRoot);
		ReplicaLease rival = new ReplicaLease("r0", files.location(), files.conditionalObjects().orElseThrow(), LEASE,
				LeaseHolder.newInstance(), Clock.systemUTC());
		AtomicReference<Optional<Pos>> promotedAt = new AtomicReference<>();
		Path database = this.dir.resolve("standby.db");
		try (Standby standby = new Standby("r0", failing, database, LEASE, LeaseHolder.newInstance(),
				ReplicaFollowerTests.FAST, Duration.ofMillis(100), Clock.systemUTC())) {
			standby.start((position) -> {
				promotedAt.set(position);
				standby.handOverLease();
			});
			await().atMost(Duration.ofSeconds(30)).until(() -> rival.tryAcquire() == LeaseAttempt.ACQUIRED);
			assertThat(promotedAt.get()).isNull();
			broken.set(false);
			rival.release();
			assertThat(standby.awaitPrimary(Duration.ofSeconds(30))).as("promoted: %s", standby.status()).isTrue();
		}
		assertThat(promotedAt.get()).isPresent();
		assertThat(oracle.check(database).state()).isEqualTo(oracle.lastLogged());
	}

}
