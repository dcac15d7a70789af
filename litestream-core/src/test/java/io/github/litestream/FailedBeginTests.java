package io.github.litestream;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.EngineResources.leaseThreads;
import static io.github.litestream.SnapshotReadProbes.truncatingCheckpointBusy;
import static io.github.litestream.StoredLeases.storedLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * An engine's start that fails with an error once it has opened its databases and started their
 * lanes (as a thread that cannot be created would): nothing of it stays open or running, its
 * leases are given up, and the engine starts again and closes as usual. Real SQLite files, a
 * real file replica, a real engine; the error comes from the engine's clock, read as a replica's
 * lane starts.
 */
class FailedBeginTests {

	private static final Duration FAST = Duration.ofMillis(50);

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	@TempDir
	Path dir;

	private final FailingClock clock = new FailingClock();

	private final Litestream engine = new Litestream(this.clock, null, EngineThreads.defaults());

	private AppDatabase app;

	@AfterEach
	void close() throws Exception {
		this.engine.stop(Duration.ofSeconds(30));
		if (this.app != null) {
			this.app.close();
		}
		this.engine.close();
	}

	@Test
	void anErrorAfterTheLanesStartedClosesWhatTheStartOpenedAndGivesItsLeasesUp() throws Exception {
		Path file = this.dir.resolve("a.db");
		this.app = new AppDatabase(file);
		this.app.insert(2);
		Path replicaDir = this.dir.resolve("replica");
		ReplicatedDatabase database = this.engine.addDatabase(DatabaseOptions.defaults(file).withMonitorInterval(FAST),
				LEASE, List.of(new ReplicationTarget(new FileReplicaClient(replicaDir),
						ReplicaOptions.defaults("file").withSyncInterval(FAST))));
		Set<Thread> leaseThreads = leaseThreads();
		this.clock.failStartingALane();

		assertThatExceptionOfType(SimulatedError.class).isThrownBy(this.engine::start);
		assertThat(this.engine.isRunning()).isFalse();
		assertThat(truncatingCheckpointBusy(this.app)).as("an engine connection left open").isFalse();
		assertThat(storedLease(replicaDir).released()).as("the lease, given up").isTrue();
		assertThat(leaseThreads()).as("lease renewal threads left running").allMatch(leaseThreads::contains);

		this.engine.start();
		Replica replica = this.engine.replicas(database).get(0);
		assertThat(this.engine.lease(replica).orElseThrow().role()).isEqualTo(LeaseRole.PRIMARY);
		this.app.insert(3);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> replica.position().equals(this.engine.commitPosition(database)));
	}

	/** What a thread that cannot be created throws, without being an OutOfMemoryError. */
	private static final class SimulatedError extends Error {

		SimulatedError() {
			super("Simulated: unable to create a thread");
		}

	}

	/**
	 * The system clock, which throws once, when armed, as the engine reads it while it starts a
	 * replica's lane: after the databases were opened and their monitors scheduled.
	 */
	private static final class FailingClock extends Clock {

		private final Clock clock = Clock.systemUTC();

		private volatile boolean armed;

		void failStartingALane() {
			this.armed = true;
		}

		@Override
		public Instant instant() {
			if (this.armed && StackWalker.getInstance()
				.walk((frames) -> frames.anyMatch((frame) -> frame.getClassName().equals(ReplicaTask.class.getName())
						&& frame.getMethodName().equals("start")))) {
				this.armed = false;
				throw new SimulatedError();
			}
			return this.clock.instant();
		}

		@Override
		public ZoneId getZone() {
			return this.clock.getZone();
		}

		@Override
		public Clock withZone(ZoneId zone) {
			throw new UnsupportedOperationException();
		}

	}

}
