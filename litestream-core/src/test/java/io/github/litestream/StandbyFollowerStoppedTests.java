package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A standby whose follower stopped on its own (its thread was interrupted) can never apply the
 * rest of the replica, so it could never take over: it says so while the primary still holds the
 * lease (failed, with the follower's reason, told to its failure listener) rather than wait for
 * the lease, take it and fail only then.
 */
class StandbyFollowerStoppedTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	@TempDir
	Path dir;

	@Test
	void aStandbyWhoseFollowerWasInterruptedSaysItCannotTakeOver() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		AtomicReference<Thread> following = new AtomicReference<>();
		ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(replicaRoot)) {

			@Override
			public List<String> generations() throws IOException {
				if (Thread.currentThread().getName().startsWith("litestream-follower-")) {
					following.compareAndSet(null, Thread.currentThread());
				}
				return super.generations();
			}

		};
		List<String> failures = new CopyOnWriteArrayList<>();
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("primary.db"), new ConsistencyOracle(
				OracleEngine.ROWS), true, true, LEASE, LeaseHolder.newInstance(), new FileReplicaClient(replicaRoot));
				Standby standby = new Standby("r0", client, this.dir.resolve("standby.db"), LEASE,
						LeaseHolder.newInstance(), ReplicaFollowerTests.FAST, Duration.ofMillis(100),
						Clock.systemUTC())) {
			primary.commit(5);
			primary.awaitReplicated();
			standby.start((position) -> failures.add("promoted"), failures::add);
			await().atMost(Duration.ofSeconds(30)).until(() -> standby.status().follower().caughtUp());

			following.get().interrupt();

			await().atMost(Duration.ofSeconds(30)).until(() -> standby.status().state() == Standby.State.FAILED);
			assertThat(standby.status().lastError()).startsWith("Stopped following")
				.endsWith("its thread was interrupted");
			assertThat(standby.status().follower().stopped()).isTrue();
			assertThat(failures).containsExactly(standby.status().lastError());
		}
	}

}
