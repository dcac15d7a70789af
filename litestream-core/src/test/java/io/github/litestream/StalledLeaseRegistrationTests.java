package io.github.litestream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.EngineResources.descriptorsOn;
import static io.github.litestream.EngineResources.leaseThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A tenant whose store stalls while its registration takes its lease (slow, unreachable until a
 * timeout) holds up that tenant only: other tenants are registered and unregistered meanwhile,
 * and the engine closes. The stalled path is refused to a second registration and to an
 * unregistration until its registration returns; a close under it fails it and leaves nothing
 * behind: no lease held, no database open, no renewal thread. Real SQLite files, real file
 * replicas; the lease write is held on a latch, not slow.
 */
class StalledLeaseRegistrationTests {

	private static final Duration FAST = Duration.ofMillis(50);

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(6));

	@TempDir
	Path dir;

	@RegisterExtension
	final RunningEngine running = new RunningEngine();

	private final List<StalledLeaseStore> stalled = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		this.stalled.forEach(StalledLeaseStore::proceed);
	}

	@Test
	void aTenantWhoseStoreStallsItsLeaseHoldsUpNoOtherTenant() throws Exception {
		Path c = tenant("c");
		this.running.registry().register(options(c), LEASE, targets("c"));
		Path a = tenant("a");
		StalledLeaseStore store = stalledStore("a");
		Future<ReplicatedDatabase> registerA = this.running.caller()
			.submit(() -> this.running.registry().register(options(a), LEASE, target(store)));
		assertThat(store.awaitStalled()).isTrue();
		Path b = tenant("b");
		Future<ReplicatedDatabase> registerB = this.running.caller()
			.submit(() -> this.running.registry().register(options(b), LEASE, targets("b")));
		await().atMost(Duration.ofSeconds(30)).until(registerB::isDone);
		assertThat(leaseRole(registerB.get())).isEqualTo(LeaseRole.PRIMARY);
		Future<Boolean> unregisterC = this.running.caller()
			.submit(() -> this.running.registry().unregister(c, Duration.ofSeconds(30), Backups.KEEP));
		await().atMost(Duration.ofSeconds(30)).until(unregisterC::isDone);
		assertThat(unregisterC.get()).isTrue();
		// Listed once it opens: the endpoint and health never see a database without its leases.
		assertThat(this.running.engine().databases()).extracting(ReplicatedDatabase::path)
			.containsExactly(b.toAbsolutePath());
		assertThat(registerA).isNotDone();
		store.proceed();
		ReplicatedDatabase registeredA = registerA.get(1, TimeUnit.MINUTES);
		assertThat(leaseRole(registeredA)).isEqualTo(LeaseRole.PRIMARY);
		assertThat(this.running.engine().databases()).containsExactly(registerB.get(), registeredA);
	}

	@Test
	void aPathBeingRegisteredIsRefusedUntilItsRegistrationReturns() throws Exception {
		Path a = tenant("a");
		StalledLeaseStore store = stalledStore("a");
		Future<ReplicatedDatabase> registerA = this.running.caller()
			.submit(() -> this.running.registry().register(options(a), LEASE, target(store)));
		assertThat(store.awaitStalled()).isTrue();
		Future<ReplicatedDatabase> again = this.running.caller()
			.submit(() -> this.running.registry().register(options(a), LEASE, targets("a-other")));
		await().atMost(Duration.ofSeconds(30)).until(again::isDone);
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(again::get)
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining(a.toAbsolutePath() + " is being registered");
		Future<Boolean> unregister = this.running.caller()
			.submit(() -> this.running.registry().unregister(a, Duration.ofSeconds(30), Backups.KEEP));
		await().atMost(Duration.ofSeconds(30)).until(unregister::isDone);
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(unregister::get)
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining(a.toAbsolutePath() + " is being registered");
		assertThat(registerA).isNotDone();
		store.proceed();
		assertThat(leaseRole(registerA.get(1, TimeUnit.MINUTES))).isEqualTo(LeaseRole.PRIMARY);
		assertThat(this.running.registry().unregister(a, Duration.ofSeconds(30), Backups.KEEP)).isTrue();
		assertThat(leaseRecord("a")).contains("\"released\":true");
	}

	@Test
	void closingTheEngineDuringARegistrationFailsItAndLeavesNothingBehind() throws Exception {
		Path a = tenant("a");
		this.running.apps().remove(0).close();
		StalledLeaseStore store = stalledStore("a");
		Future<ReplicatedDatabase> registerA = this.running.caller()
			.submit(() -> this.running.registry().register(options(a), LEASE, target(store)));
		assertThat(store.awaitStalled()).isTrue();
		Set<Thread> leaseThreads = closeEngineWhileStalled(registerA);
		store.proceed();
		assertFailedAsTheEngineClosed(registerA);
		assertThat(leaseRecord("a")).contains("\"epoch\":1").contains("\"released\":true");
		assertNothingLeftOf("a.db", leaseThreads);
		// Released: a new engine takes the lease at once, with the next epoch.
		try (Litestream next = new Litestream()) {
			next.start();
			ReplicatedDatabase registered = new DatabaseRegistry(next).register(options(a), LEASE, targets("a"));
			assertThat(leaseRole(next, registered)).isEqualTo(LeaseRole.PRIMARY);
			assertThat(leaseRecord("a")).contains("\"epoch\":2");
			next.stop(Duration.ofSeconds(30));
		}
	}

	@Test
	void closingTheEngineDuringATakeoverLeavesTheTakenLeaseToExpire() throws Exception {
		Path a = tenant("a");
		this.running.apps().remove(0).close();
		// A holder that crashed: the registration waits out its ttl, then takes its lease over, and
		// may write only once that holder's safety margin passed.
		FileReplicaClient file = new FileReplicaClient(replica("a"));
		new ReplicaLease("file", file.location(), file.conditionalObjects().orElseThrow(),
				new LeaseOptions(true, Duration.ofSeconds(5)), LeaseHolder.newInstance(), Clock.systemUTC())
			.acquire();
		StalledLeaseStore store = stalledStore("a");
		Future<ReplicatedDatabase> registerA = this.running.caller()
			.submit(() -> this.running.registry().register(options(a), LEASE, target(store)));
		assertThat(store.awaitStalled()).isTrue();
		Set<Thread> leaseThreads = closeEngineWhileStalled(registerA);
		store.proceed();
		assertFailedAsTheEngineClosed(registerA);
		// Given up during its first write's wait: a write of the crashed holder may still land, so
		// a released lease would let another instance write at once.
		assertThat(leaseRecord("a")).contains("\"instance\":\"" + this.running.engine().leaseHolder().instance())
			.contains("\"epoch\":2")
			.contains("\"released\":false");
		assertNothingLeftOf("a.db", leaseThreads);
	}

	@Test
	void aCheckUnderTheLeasesSeesWhetherTheyAreHeldBeforeTheDatabaseIsListed() throws Exception {
		Path a = tenant("a");
		List<Boolean> held = new ArrayList<>();
		DatabaseRegistry registry = this.running.registry();
		ReplicatedDatabase registered = registry.registerChecked(options(a), LEASE, targets("a"), (database) -> {
			held.add(registry.holdsLeases(database));
			held.add(this.running.engine().databases().contains(database));
		});
		assertThat(held).containsExactly(true, false);
		assertThat(leaseRole(registered)).isEqualTo(LeaseRole.PRIMARY);
		// A store that does not answer: the lease starts fenced, and the check must see it.
		Path b = tenant("b");
		List<ReplicationTarget> unreachable = target(new UnreachableStore(new FileReplicaClient(replica("b")), true));
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> this.running.registry().registerChecked(options(b), LEASE, unreachable, (database) -> {
				if (!this.running.registry().holdsLeases(database)) {
					throw new IOException("its lease is not held");
				}
			}))
			.withMessage("its lease is not held");
		assertThat(this.running.registry().find(b)).isEmpty();
	}

	/**
	 * Stops and closes the engine while a registration is stalled: neither waits for it.
	 * @return the lease renewal threads alive once the engine closed
	 */
	private Set<Thread> closeEngineWhileStalled(Future<ReplicatedDatabase> registration) throws Exception {
		Future<?> closing = this.running.caller().submit(() -> {
			this.running.engine().stop(Duration.ofSeconds(30));
			this.running.engine().close();
			return null;
		});
		await().atMost(Duration.ofSeconds(30)).until(closing::isDone);
		closing.get();
		assertThat(registration).isNotDone();
		return leaseThreads();
	}

	private void assertFailedAsTheEngineClosed(Future<ReplicatedDatabase> registration) {
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> registration.get(1, TimeUnit.MINUTES))
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("the engine stopped while it was being registered");
		assertThat(this.running.engine().databases()).isEmpty();
		assertThat(this.running.registry().find(this.dir.resolve("a.db"))).isEmpty();
	}

	/** No descriptor on the tenant's files, and no lease renewal thread started for it. */
	private void assertNothingLeftOf(String name, Set<Thread> leaseThreadsAtClose) throws IOException {
		assertThat(descriptorsOn(this.dir, name)).as("descriptors left on " + name).isEmpty();
		assertThat(leaseThreads()).as("lease renewal threads started after close")
			.allMatch(leaseThreadsAtClose::contains);
	}


	private Path tenant(String name) throws Exception {
		Path path = this.dir.resolve(name + ".db");
		AppDatabase app = new AppDatabase(path);
		app.insert(2);
		this.running.apps().add(app);
		return path;
	}

	private LeaseRole leaseRole(ReplicatedDatabase database) {
		return leaseRole(this.running.engine(), database);
	}

	private static LeaseRole leaseRole(Litestream engine, ReplicatedDatabase database) {
		return engine.lease(engine.replicas(database).get(0)).orElseThrow().role();
	}

	private String leaseRecord(String name) throws IOException {
		return new String(new FileReplicaClient(replica(name)).conditionalObjects()
			.orElseThrow()
			.read(ReplicaLease.OBJECT)
			.orElseThrow()
			.content(), StandardCharsets.UTF_8);
	}

	private StalledLeaseStore stalledStore(String name) {
		StalledLeaseStore store = new StalledLeaseStore(new FileReplicaClient(replica(name)));
		this.stalled.add(store);
		return store;
	}

	private List<ReplicationTarget> targets(String name) {
		return target(new FileReplicaClient(replica(name)));
	}

	private static List<ReplicationTarget> target(ReplicaClient client) {
		return List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(FAST)));
	}

	private Path replica(String name) {
		return this.dir.resolve("replicas").resolve(name);
	}

	private static DatabaseOptions options(Path path) {
		return DatabaseOptions.defaults(path).withMonitorInterval(FAST);
	}

}
