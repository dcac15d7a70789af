package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import io.github.litestream.Standby.State;
import io.github.litestream.lease.LeaseAttempt;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.ReplicaFollower;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a {@link Takeover} ends, with a lease it took of a real (empty) file replica and a real
 * follower: what it decides is the state the standby moves to.
 */
class TakeoverTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(2));

	@TempDir
	Path dir;

	private final CountDownLatch closing = new CountDownLatch(1);

	private final List<String> errors = new ArrayList<>();

	private ReplicaFollower follower;

	private Takeover takeover;

	@BeforeEach
	void takeTheLease() throws IOException {
		FileReplicaClient files = new FileReplicaClient(this.dir.resolve("replica"));
		ReplicaLease lease = new ReplicaLease("r0", files.location(), files.conditionalObjects().orElseThrow(), LEASE,
				LeaseHolder.newInstance(), Clock.systemUTC());
		assertThat(lease.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		Path database = this.dir.resolve("standby.db");
		this.follower = new ReplicaFollower(files, database, ReplicaFollowerTests.FAST, Clock.systemUTC());
		this.follower.start();
		this.takeover = new Takeover("r0", database, lease, this.follower, Clock.systemUTC(), this.closing,
				this.closing::countDown, (error) -> this.errors.add(String.valueOf(error)));
	}

	@AfterEach
	void stopFollowing() throws IOException {
		this.follower.close();
	}

	@Test
	void aPromotionThatReturnedMakesThePrimaryAtTheFollowedPosition() {
		AtomicReference<Optional<Pos>> promotedAt = new AtomicReference<>();
		Takeover.Outcome outcome = this.takeover.run(promotedAt::set);
		assertThat(outcome).isEqualTo(new Takeover.Outcome(State.PRIMARY, null));
		assertThat(promotedAt.get()).as("the replica held no backup").isEmpty();
		assertThat(this.follower.isRunning()).isFalse();
		assertThat(this.errors).containsExactly("null");
	}

	@Test
	void aPromotionThatFailedFailsTheTakeoverWithItsMessage() {
		Takeover.Outcome outcome = this.takeover.run((position) -> {
			throw new IllegalStateException("the engine did not start");
		});
		assertThat(outcome).isEqualTo(new Takeover.Outcome(State.FAILED, "the engine did not start"));
	}

	@Test
	void aStandbyThatClosedIsNotPromoted() {
		this.closing.countDown();
		AtomicReference<Optional<Pos>> promotedAt = new AtomicReference<>();
		Takeover.Outcome outcome = this.takeover.run(promotedAt::set);
		assertThat(outcome.state()).isEqualTo(State.FAILED);
		assertThat(outcome.failure()).contains("it closed");
		assertThat(promotedAt.get()).isNull();
	}

}
