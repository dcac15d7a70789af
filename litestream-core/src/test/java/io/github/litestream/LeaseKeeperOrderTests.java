package io.github.litestream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The lease keeper makes its requests to a store outside its lock, and still keeps each lease's
 * order: a database removed while its lease is being taken (waiting out a crashed holder's ttl)
 * releases that lease once it is taken, never before, which would leave it held by nobody; one
 * removed with an upload still running abandons it once it is taken, never before, which would
 * leave it taken and writable by a database no longer replicated.
 */
class LeaseKeeperOrderTests {

	@TempDir
	Path dir;

	private final LeaseKeeper keeper = new LeaseKeeper();

	@AfterEach
	void close() {
		this.keeper.abandonAll();
	}

	@Test
	void aReleaseDuringTheAcquisitionOfTheSameLeaseWaitsForItThenReleases() throws Exception {
		ReplicaLease lease = givenUpDuringItsAcquisition("releaser", this.keeper::release);
		assertThat(lease.status().role()).as("role once both returned").isEqualTo(LeaseRole.NONE);
		// Taken over (epoch 2), then given up: left to expire rather than released, as its first
		// write still waited for the crashed holder's last ones (another instance would write at once).
		assertThat(leaseRecord()).contains("\"epoch\":2").contains("\"released\":false");
	}

	@Test
	void anAbandonDuringTheAcquisitionOfTheSameLeaseWaitsForItThenStopsItsWrites() throws Exception {
		ReplicaLease lease = givenUpDuringItsAcquisition("abandoner", this.keeper::abandon);
		assertThat(lease.status().role()).as("role once both returned").isEqualTo(LeaseRole.NONE);
		assertThat(lease.allowsWrites()).as("writes once both returned").isFalse();
		assertThat(leaseRecord()).as("left to expire").contains("\"released\":false");
	}

	/**
	 * Takes a database's lease from a holder that crashed (the acquisition waits out its ttl,
	 * between attempts) and gives it up on another thread during that wait.
	 * @return the lease, once both threads returned and the keeper forgot it
	 */
	private ReplicaLease givenUpDuringItsAcquisition(String name, Consumer<ReplicatedDatabase> giveUp)
			throws Exception {
		LeaseOptions options = new LeaseOptions(true, Duration.ofSeconds(2));
		FileReplicaClient file = new FileReplicaClient(this.dir.resolve("replica"));
		new ReplicaLease("file", file.location(), file.conditionalObjects().orElseThrow(), options,
				LeaseHolder.newInstance(), Clock.systemUTC())
			.acquire();
		ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(this.dir.resolve("a.db")));
		Replica replica = this.keeper.leased(database, new ReplicationTarget(file, ReplicaOptions.defaults("file")),
				options, LeaseHolder.newInstance(), Clock.systemUTC());
		ReplicaLease lease = this.keeper.of(replica).orElseThrow();
		CompletableFuture<Void> acquired = run("acquirer", () -> this.keeper.acquire(database));
		await().atMost(Duration.ofSeconds(30)).until(() -> in("acquirer", ReplicaLease.class, "pause"));
		CompletableFuture<Void> givenUp = run(name, () -> giveUp.accept(database));
		acquired.get(1, TimeUnit.MINUTES);
		givenUp.get(1, TimeUnit.MINUTES);
		assertThat(this.keeper.of(replica)).isEmpty();
		return lease;
	}

	private static boolean in(String name, Class<?> type, String method) {
		return Thread.getAllStackTraces()
			.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().getName().equals(name))
			.flatMap((entry) -> Arrays.stream(entry.getValue()))
			.anyMatch((frame) -> frame.getClassName().equals(type.getName()) && frame.getMethodName().equals(method));
	}

	private static CompletableFuture<Void> run(String name, Step step) {
		CompletableFuture<Void> done = new CompletableFuture<>();
		new Thread(() -> {
			try {
				step.run();
				done.complete(null);
			}
			catch (IOException | RuntimeException ex) {
				done.completeExceptionally(ex);
			}
		}, name).start();
		return done;
	}

	private String leaseRecord() throws IOException {
		Optional<ConditionalObjects.VersionedObject> read = new FileReplicaClient(this.dir.resolve("replica"))
			.conditionalObjects()
			.orElseThrow()
			.read(ReplicaLease.OBJECT);
		return new String(read.orElseThrow().content(), StandardCharsets.UTF_8);
	}

	@FunctionalInterface
	private interface Step {

		void run() throws IOException;

	}

}
