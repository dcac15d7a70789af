package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.lease.LeaseFencedException;
import io.github.litestream.lease.LeaseHeldException;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.StoredLeases.storedLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Leases taken ahead of the engine (for a restore-on-boot) on real file replicas: renewed until
 * handed over, then taken over by an engine of the same holder in the same holding; given back
 * at close; and a refusal on a later replica gives back the earlier ones.
 */
class AdvanceLeasesTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofMillis(900));

	@TempDir
	Path dir;

	@Test
	void renewedUntilHandedOverThenTakenOverByTheEngineWithTheSameEpoch() throws Exception {
		Path replica = this.dir.resolve("replica");
		LeaseHolder holder = LeaseHolder.newInstance();
		AdvanceLeases leases = new AdvanceLeases(holder, Clock.systemUTC());
		leases.take(List.of(target(replica, "r")), LEASE);
		Instant taken = storedLease(replica).renewedAt();
		await().atMost(Duration.ofSeconds(10)).until(() -> storedLease(replica).renewedAt().isAfter(taken));
		leases.handOver();
		long epoch = storedLease(replica).epoch();
		try (Litestream engine = new Litestream(Clock.systemUTC(), null,
				EngineThreads.defaults(), holder)) {
			engine.addDatabase(DatabaseOptions.defaults(database()), LEASE, List.of(target(replica, "r")));
			engine.start();
			assertThat(storedLease(replica).holder()).isEqualTo(holder);
			assertThat(storedLease(replica).epoch()).as("one holding, no new generation").isEqualTo(epoch);
			leases.close();
			assertThat(storedLease(replica).released()).as("handed over: close gives nothing back").isFalse();
		}
	}

	@Test
	void closeGivesBackWhatWasNeverHandedOver() throws Exception {
		Path replica = Files.createDirectories(this.dir.resolve("replica"));
		try (AdvanceLeases leases = new AdvanceLeases(LeaseHolder.newInstance(), Clock.systemUTC())) {
			leases.take(List.of(target(replica, "r")), LEASE);
			assertThat(storedLease(replica).released()).isFalse();
		}
		assertThat(storedLease(replica).released()).isTrue();
	}

	@Test
	void closeRemovesTheReplicaDirectoriesTheLeaseCreated() throws Exception {
		Path replica = this.dir.resolve("mistyped/replica");
		try (AdvanceLeases leases = new AdvanceLeases(LeaseHolder.newInstance(), Clock.systemUTC())) {
			leases.take(List.of(target(replica, "r")), LEASE);
			assertThat(storedLease(replica).released()).isFalse();
		}
		assertThat(this.dir.resolve("mistyped")).doesNotExist();
		assertThat(this.dir).exists();
	}

	@Test
	void aLeaseHeldOnALaterReplicaGivesBackTheEarlierOnes() throws Exception {
		Path first = this.dir.resolve("first");
		Path second = this.dir.resolve("second");
		// Another live instance, renewing.
		AdvanceLeases other = new AdvanceLeases(LeaseHolder.newInstance(), Clock.systemUTC());
		other.take(List.of(target(second, "second")), LEASE);
		try (other; AdvanceLeases leases = new AdvanceLeases(LeaseHolder.newInstance(), Clock.systemUTC())) {
			Throwable refused = catchThrowable(
					() -> leases.take(List.of(target(first, "first"), target(second, "second")), LEASE));
			assertThat(refused).isInstanceOf(LeaseHeldException.class);
			assertThat(storedLease(first).released()).as("the first replica's lease given back at once").isTrue();
		}
	}

	@Test
	void aLeaseAnotherInstanceTookBeforeTheHandOverFailsItAndIsNotTakenBack() throws Exception {
		Path replica = this.dir.resolve("replica");
		AdvanceLeases leases = new AdvanceLeases(LeaseHolder.newInstance(), Clock.systemUTC());
		leases.take(List.of(target(replica, "r")), LEASE);
		// Another instance takes it while the application starts (a long pause), and may write.
		ConditionalObjects objects = new FileReplicaClient(replica).conditionalObjects().orElseThrow();
		ConditionalObjects.VersionedObject current = objects.read(ReplicaLease.OBJECT).orElseThrow();
		Instant now = Instant.now();
		objects.replace(ReplicaLease.OBJECT, new LeaseRecord(new LeaseHolder("other", "other-host", 7), 50, now,
				now.plus(LEASE.ttl()), LEASE.ttl(), false).toJson(), current.version());
		await().atMost(Duration.ofSeconds(10)).until(leases::anyLost);
		assertThat(catchThrowable(leases::handOver)).isInstanceOf(LeaseFencedException.class)
			.hasMessageContaining("other-host");
		leases.close();
		assertThat(storedLease(replica).holder().host()).as("never taken back").isEqualTo("other-host");
	}

	private Path database() throws Exception {
		Path db = this.dir.resolve("app.db");
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
				Statement statement = connection.createStatement()) {
			statement.executeUpdate("CREATE TABLE t (x)");
		}
		return db;
	}

	private static ReplicationTarget target(Path replica, String name) {
		return new ReplicationTarget(new FileReplicaClient(replica), ReplicaOptions.defaults(name));
	}

}
