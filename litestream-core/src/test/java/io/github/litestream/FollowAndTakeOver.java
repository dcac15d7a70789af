package io.github.litestream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.restore.ReplicaFollower;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The follower's whole story on one replica, for every backend's tests: a primary writes
 * {@link PageWriter} transactions while a {@link ReplicaFollower} follows and is checked at
 * random moments against the {@link ConsistencyOracle}; the primary stops, the follower
 * reaches its last state and hands the file over; an engine on it continues the generation
 * (same generation, next index, no new snapshot) and a final restore equals the last state.
 */
public final class FollowAndTakeOver {

	private final Path dir;

	private final ConsistencyOracle oracle = new ConsistencyOracle(OracleEngine.ROWS);

	/**
	 * Creates the scenario.
	 * @param dir an empty directory for the databases
	 */
	public FollowAndTakeOver(Path dir) {
		this.dir = dir;
	}

	/**
	 * The history the primary and the engine that took over wrote.
	 * @return the oracle
	 */
	public ConsistencyOracle oracle() {
		return this.oracle;
	}

	/**
	 * Runs it.
	 * @param primaryClient the primary's client of the replica
	 * @param clients makes more clients of the same replica (each user closes its own)
	 * @return the generation, which the replica holds alone
	 * @throws Exception if anything fails
	 */
	public String run(ReplicaClient primaryClient, ClientSupplier clients) throws Exception {
		Path followed = this.dir.resolve("follower.db");
		Pos end;
		ReplicaFollower follower = new ReplicaFollower(clients.get(), followed, ReplicaFollowerTests.FAST);
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("primary.db"), this.oracle, true, primaryClient)) {
			primary.commit(10);
			primary.awaitReplicated();
			follower.start();
			AtomicBoolean writing = new AtomicBoolean(true);
			CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
				try {
					for (int i = 1; writing.get(); i++) {
						primary.commit(1);
						if (i % 60 == 0) {
							primary.newIndex();
						}
						LockSupport.parkNanos(2_000_000);
					}
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			try {
				assertConsistentAtRandomMoments(follower, 15);
			}
			finally {
				writing.set(false);
				writer.join();
			}
			primary.awaitReplicated();
			end = primary.database().position().orElseThrow();
		}
		assertThat(end.index()).as("the primary wrote several indexes").isGreaterThanOrEqualTo(1);
		ReplicaFollowerTests.awaitPosition(follower, end);
		assertThat(stateOf(follower)).isEqualTo(this.oracle.lastLogged());
		assertThat(follower.status().restores()).isEqualTo(1);
		assertThat(follower.stop(Duration.ofSeconds(10))).contains(end);
		takeOver(followed, clients, end);
		return end.generation();
	}

	private void assertConsistentAtRandomMoments(ReplicaFollower follower, int checks) throws Exception {
		SplittableRandom random = new SplittableRandom();
		await().atMost(Duration.ofSeconds(30)).until(() -> follower.status().position() != null);
		int previous = 0;
		List<Integer> states = new ArrayList<>();
		for (int i = 0; i < checks; i++) {
			LockSupport.parkNanos(Duration.ofMillis(random.nextInt(20, 200)).toNanos());
			int state = stateOf(follower);
			assertThat(state).as("the follower never goes back").isGreaterThanOrEqualTo(previous);
			previous = state;
			states.add(state);
		}
		assertThat(states.get(states.size() - 1)).as("the follower moved on while the primary wrote: %s", states)
			.isGreaterThan(states.get(0));
	}

	private void takeOver(Path followed, ClientSupplier clients, Pos end) throws Exception {
		try (ReplicaClient replica = clients.get()) {
			int snapshots = replica.snapshots(end.generation()).size();
			try (OracleEngine next = new OracleEngine(followed, this.oracle, false, clients.get())) {
				Pos start = next.database().position().orElseThrow();
				assertThat(start.generation()).isEqualTo(end.generation());
				assertThat(start.index()).isEqualTo(end.index() + 1);
				next.commit(20);
				next.newIndex();
				next.commit(10);
				next.awaitReplicated();
			}
			assertThat(replica.generations()).containsExactly(end.generation());
			assertThat(replica.snapshots(end.generation())).as("no snapshot after the takeover").hasSize(snapshots);
			Path fin = this.dir.resolve("final.db");
			new Restorer().restore(replica, RestoreOptions.latest(fin));
			assertThat(this.oracle.check(fin).state()).isEqualTo(this.oracle.lastLogged());
		}
	}

	private int stateOf(ReplicaFollower follower) throws Exception {
		return ReplicaFollowerTests.stateOf(this.dir, follower, this.oracle);
	}

	/** Makes a new client of the replica under test. */
	@FunctionalInterface
	public interface ClientSupplier {

		/**
		 * A new client.
		 * @return the client
		 * @throws Exception if it cannot be made
		 */
		ReplicaClient get() throws Exception;

	}

}
