package io.github.litestream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A store that is slow to answer a lease request holds up that lease's database only: while one
 * tenant's lease release waits for its store, other tenants' leases are taken and released.
 */
class SlowLeaseStoreTests {

	private static final Duration FAST = Duration.ofMillis(50);

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(6));

	@TempDir
	Path dir;

	@RegisterExtension
	final RunningEngine running = new RunningEngine(() -> Executors.newFixedThreadPool(2));

	/** Counted down when tenant {@code a}'s store receives its lease's release, which then waits. */
	private final CountDownLatch releasing = new CountDownLatch(1);

	private final CountDownLatch proceed = new CountDownLatch(1);

	@AfterEach
	void close() throws Exception {
		this.proceed.countDown();
	}

	@Test
	void aLeaseReleaseWaitingForItsStoreDoesNotHoldUpOtherTenantsLeases() throws Exception {
		Path a = tenant("a");
		this.running.registry().register(options(a), LEASE, targets("a"));
		Path b = tenant("b");
		ReplicatedDatabase registeredB = this.running.registry().register(options(b), LEASE, targets("b"));
		Future<Boolean> unregisterA = this.running.caller()
			.submit(() -> this.running.registry().unregister(a, Duration.ofSeconds(30), Backups.KEEP));
		try {
			assertThat(this.releasing.await(1, TimeUnit.MINUTES)).isTrue();
			Path c = tenant("c");
			Future<ReplicatedDatabase> registerC = this.running.caller()
				.submit(() -> this.running.registry().register(options(c), LEASE, targets("c")));
			await().atMost(Duration.ofSeconds(30)).until(registerC::isDone);
			ReplicatedDatabase registeredC = registerC.get();
			Litestream engine = this.running.engine();
			assertThat(engine.lease(engine.replicas(registeredC).get(0)).orElseThrow().role())
				.isEqualTo(LeaseRole.PRIMARY);
			assertThat(this.running.engine().replicas(registeredB)).hasSize(1);
			Future<Boolean> unregisterB = this.running.caller()
				.submit(() -> this.running.registry().unregister(b, Duration.ofSeconds(30), Backups.KEEP));
			await().atMost(Duration.ofSeconds(30)).until(unregisterB::isDone);
			assertThat(unregisterB.get()).isTrue();
			assertThat(leaseRecord("b")).contains("\"released\":true");
			assertThat(unregisterA).isNotDone();
		}
		finally {
			this.proceed.countDown();
		}
		assertThat(unregisterA.get(1, TimeUnit.MINUTES)).isTrue();
		assertThat(leaseRecord("a")).contains("\"released\":true");
	}

	private Path tenant(String name) throws Exception {
		Path path = this.dir.resolve(name + ".db");
		AppDatabase app = new AppDatabase(path);
		app.insert(2);
		this.running.apps().add(app);
		return path;
	}

	private String leaseRecord(String name) throws IOException {
		Optional<ConditionalObjects.VersionedObject> read = new FileReplicaClient(replica(name)).conditionalObjects()
			.orElseThrow()
			.read("lease.json");
		return new String(read.orElseThrow().content(), StandardCharsets.UTF_8);
	}

	/** Tenant {@code a}'s store waits when its lease is released, until the test proceeds. */
	private List<ReplicationTarget> targets(String name) {
		FileReplicaClient file = new FileReplicaClient(replica(name));
		ConditionalObjects objects = file.conditionalObjects().orElseThrow();
		ConditionalObjects slow = new ConditionalObjects() {

			@Override
			public Optional<VersionedObject> read(String object) throws IOException {
				return objects.read(object);
			}

			@Override
			public String create(String object, byte[] content) throws IOException {
				return objects.create(object, content);
			}

			@Override
			public String replace(String object, byte[] content, String version) throws IOException {
				if (name.equals("a") && new String(content, StandardCharsets.UTF_8).contains("\"released\":true")) {
					SlowLeaseStoreTests.this.releasing.countDown();
					try {
						SlowLeaseStoreTests.this.proceed.await();
					}
					catch (InterruptedException ex) {
						throw new InterruptedIOException();
					}
				}
				return objects.replace(object, content, version);
			}

			@Override
			public Optional<String> exclusivityProblem() throws IOException {
				return objects.exclusivityProblem();
			}

		};
		return List.of(new ReplicationTarget(new ForwardingReplicaClient(file) {

			@Override
			public Optional<ConditionalObjects> conditionalObjects() {
				return Optional.of(slow);
			}

		}, ReplicaOptions.defaults("file").withSyncInterval(FAST)));
	}

	private Path replica(String name) {
		return this.dir.resolve("replicas").resolve(name);
	}

	private static DatabaseOptions options(Path path) {
		return DatabaseOptions.defaults(path).withMonitorInterval(FAST);
	}

}
