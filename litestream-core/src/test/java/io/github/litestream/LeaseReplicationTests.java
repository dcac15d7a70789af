package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseAttempt;
import io.github.litestream.lease.LeaseHeldException;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ForwardingConditionalObjects;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.StoredLeases.storedLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Two engines on one file replica, with real databases and a writer whose every state the
 * {@link ConsistencyOracle} knows: the second is refused; after a clean stop it starts at once;
 * after a SIGKILL of the first (a child JVM) it starts once the lease lapsed; a lease stolen
 * behind the primary's back fences it, after which it writes nothing, and the replica still
 * restores to one committed state.
 */
class LeaseReplicationTests {

	private static final int ROWS = 24;

	private static final LeaseOptions SHORT_TTL = new LeaseOptions(true, Duration.ofSeconds(1));

	@TempDir
	Path dir;

	private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

	/** The one history every instance's writer continues (one writer at a time). */
	private final ConsistencyOracle oracle = new ConsistencyOracle(ROWS);

	@AfterEach
	void closeAll() throws Exception {
		for (int i = this.open.size() - 1; i >= 0; i--) {
			this.open.get(i).close();
		}
	}

	@Test
	void secondEngineOnTheSameReplicaIsRefusedAndTheFirstKeepsReplicating() throws Exception {
		Path replica = this.dir.resolve("replica");
		Instance first = instance("first.db", replica, SHORT_TTL);
		first.engine.start();
		first.commit(20);
		Instance second = instance("second.db", replica, SHORT_TTL);
		assertThatExceptionOfType(LeaseHeldException.class).isThrownBy(second.engine::start)
			.satisfies((ex) -> assertThat(ex.holder().holder()).isEqualTo(first.engine.leaseHolder()))
			.satisfies((ex) -> assertThat(ex.replica()).isEqualTo("file"));
		assertThat(second.engine.isRunning()).isFalse();
		first.commit(20);
		first.ship();
		assertThat(generations(replica)).as("only the first instance's generation").hasSize(1);
		assertThat(first.lease().role()).isEqualTo(LeaseRole.PRIMARY);
		assertThat(restoredState(replica)).isEqualTo(40);
	}

	@Test
	void afterACleanStopTheNextInstanceStartsAtOnceWithTheNextEpoch() throws Exception {
		Path replica = this.dir.resolve("replica");
		LeaseOptions longTtl = new LeaseOptions(true, Duration.ofMinutes(10));
		Instance first = instance("first.db", replica, longTtl);
		first.engine.start();
		first.commit(10);
		first.engine.stop(Duration.ofSeconds(10));
		first.engine.close();
		assertThat(storedLease(replica).released()).isTrue();
		Instant started = Instant.now();
		Instance second = instance("second.db", replica, longTtl);
		second.engine.start();
		// Far below the ttl of ten minutes: nobody waited for the first lease to lapse.
		assertThat(Duration.between(started, Instant.now())).isLessThan(longTtl.ttl().dividedBy(2));
		assertThat(storedLease(replica).epoch()).isEqualTo(2);
		assertThat(storedLease(replica).holder()).isEqualTo(second.engine.leaseHolder());
	}

	@Test
	void afterSigkillOfTheFirstInstanceTheNextTakesTheReplicaOnceTheLeaseLapsed() throws Exception {
		Path replica = this.dir.resolve("replica");
		Path child = Files.createDirectories(this.dir.resolve("child"));
		KilledWriter.run(ConsistentWriter.class, child, replica.toString(), null,
				Map.of("LITESTREAM_TEST_LEASE_TTL_MS", "2000"), true, new SplittableRandom(7));
		LeaseRecord killed = storedLease(replica);
		assertThat(killed.released()).isFalse();
		assertThat(killed.holder().pid()).isNotEqualTo(ProcessHandle.current().pid());
		long started = System.nanoTime();
		Instance next = instance("next.db", replica, SHORT_TTL);
		next.engine.start();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).as("waited for the killed holder's ttl")
			.isGreaterThanOrEqualTo(Duration.ofSeconds(2));
		assertThat(storedLease(replica).epoch()).isEqualTo(killed.epoch() + 1);
		assertThat(storedLease(replica).holder()).isEqualTo(next.engine.leaseHolder());
	}

	@Test
	void aLeaseTakenFirstIsRenewedWhileTheNextWaitsOutACrashedHolder() throws Exception {
		Path first = this.dir.resolve("first-replica");
		Path second = this.dir.resolve("second-replica");
		// The second replica's lease: a holder that crashed a moment ago, waited out for its ttl,
		// three times as long as the lease of the first replica lasts unrenewed.
		Instant now = Instant.now();
		Duration crashedTtl = SHORT_TTL.ttl().multipliedBy(3);
		new FileReplicaClient(second).conditionalObjects()
			.orElseThrow()
			.create(ReplicaLease.OBJECT, new LeaseRecord(new LeaseHolder("crashed", "gone", 1), 3, now,
					now.plus(crashedTtl), crashedTtl, false)
				.toJson());
		Path db = this.dir.resolve("app.db");
		try (AppDatabase app = new AppDatabase(db)) {
			app.insert(1);
		}
		Litestream engine = new Litestream();
		this.open.add(engine);
		engine.addDatabase(DatabaseOptions.defaults(db), SHORT_TTL,
				List.of(new ReplicationTarget(new FileReplicaClient(first), ReplicaOptions.defaults("first")),
						new ReplicationTarget(new FileReplicaClient(second), ReplicaOptions.defaults("second"))));
		// Another instance starting on the first replica meanwhile.
		ReplicaLease contender = new ReplicaLease("first", first.toString(),
				new FileReplicaClient(first).conditionalObjects().orElseThrow(), SHORT_TTL,
				new LeaseHolder("contender", "elsewhere", 2), java.time.Clock.systemUTC());
		java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newSingleThreadExecutor();
		try {
			java.util.concurrent.Future<?> starting = starter.submit(() -> {
				engine.start();
				return null;
			});
			await().atMost(Duration.ofSeconds(30))
				.ignoreExceptions()
				.until(() -> storedLease(first).holder().equals(engine.leaseHolder()));
			List<LeaseAttempt> attempts = new CopyOnWriteArrayList<>();
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
				attempts.add(contender.tryAcquire());
				return starting.isDone();
			});
			starting.get();
			assertThat(attempts).as("the first lease stayed alive while the second was waited out")
				.doesNotContain(LeaseAttempt.ACQUIRED);
			assertThat(storedLease(first).holder()).isEqualTo(engine.leaseHolder());
			assertThat(storedLease(second).holder()).isEqualTo(engine.leaseHolder());
		}
		finally {
			starter.shutdownNow();
		}
	}

	@Test
	void stolenLeaseFencesThePrimaryWhichThenWritesNothingAndTheReplicaStaysConsistent() throws Exception {
		Path replica = this.dir.resolve("replica");
		Instance primary = instance("primary.db", replica, SHORT_TTL);
		List<LeaseStatus> changes = new CopyOnWriteArrayList<>();
		primary.engine.addLeaseListener((database, r, status) -> changes.add(status));
		primary.engine.start();
		primary.commit(30);
		primary.ship();
		steal(replica, Duration.ofHours(1));
		awaitRole(primary, LeaseRole.FENCED);
		// Listeners hear of it after the renewal returned, a moment after the status shows it.
		await().atMost(Duration.ofSeconds(10)).until(() -> !changes.isEmpty());
		assertThat(changes).extracting(LeaseStatus::role).containsExactly(LeaseRole.FENCED);
		assertThat(primary.lease().record().holder().host()).isEqualTo("thief-host");
		List<String> objectsWhenFenced = objects(replica);
		// Commits go on locally; sync intervals, snapshots and renewals pass.
		for (int i = 0; i < 10; i++) {
			primary.commit(5);
			Thread.sleep(150);
		}
		assertThat(primary.engine.stop(Duration.ofSeconds(2))).as("the final flush cannot reach a fenced replica")
			.isFalse();
		assertThat(objects(replica)).as("nothing written after the fence").isEqualTo(objectsWhenFenced);
		int restored = restoredState(replica);
		assertThat(restored).isBetween(30, 80);
	}

	@Test
	void aLeaseTakenWhileThePrimaryCouldNotRenewIsReportedAsLost() throws Exception {
		// A partition (or a pause longer than the ttl): renewals fail, the write window ends, and
		// another instance takes the lease. When the store answers again, listeners (readiness)
		// must hear that the lease is lost, though the role stays FENCED.
		Path replica = this.dir.resolve("replica");
		AtomicBoolean partitioned = new AtomicBoolean();
		ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(replica)) {
			@Override
			public Optional<ConditionalObjects> conditionalObjects() {
				return Optional.of(new ForwardingConditionalObjects(delegate().conditionalObjects().orElseThrow()) {
					@Override
					public String replace(String name, byte[] content, String version) throws IOException {
						if (partitioned.get()) {
							throw new IOException("store unreachable");
						}
						return super.replace(name, content, version);
					}
				});
			}
		};
		Instance primary = instance("primary.db", replica, SHORT_TTL, client);
		List<LeaseStatus> changes = new CopyOnWriteArrayList<>();
		primary.engine.addLeaseListener((database, r, status) -> changes.add(status));
		primary.engine.start();
		partitioned.set(true);
		awaitRole(primary, LeaseRole.FENCED);
		steal(replica, Duration.ofHours(1));
		partitioned.set(false);

		await().atMost(Duration.ofSeconds(10)).until(() -> primary.lease().lost());
		await().atMost(Duration.ofSeconds(10)).until(() -> changes.stream().anyMatch(LeaseStatus::lost));
	}

	@Test
	void aCloseWhileAnUploadStillRunsLeavesTheLeaseToExpireInsteadOfReleasingIt() throws Exception {
		// The shutdown timeout passed with a segment upload in flight: released, the lease would
		// let the next instance continue the generation while that upload may still land.
		Path replica = this.dir.resolve("replica");
		CountDownLatch uploading = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		CountDownLatch finished = new CountDownLatch(1);
		AtomicBoolean slow = new AtomicBoolean();
		ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(replica)) {
			@Override
			public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
				if (!slow.get()) {
					return super.writeWalSegment(pos, lz4);
				}
				uploading.countDown();
				try {
					finish.await(30, TimeUnit.SECONDS);
					return super.writeWalSegment(pos, lz4);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return super.writeWalSegment(pos, lz4);
				}
				finally {
					finished.countDown();
				}
			}
		};
		Instance primary = instance("primary.db", replica, SHORT_TTL, client);
		primary.engine.start();
		primary.commit(5);
		primary.ship();
		slow.set(true);
		primary.commit(5);
		primary.engine.commitPosition(primary.database);
		primary.engine.syncNow(primary.replica());
		assertThat(uploading.await(10, TimeUnit.SECONDS)).isTrue();
		try {
			primary.engine.stop(Duration.ofMillis(100));
			primary.engine.close();

			assertThat(storedLease(replica).released()).as("not released while the upload runs").isFalse();
			ReplicaLease next = new ReplicaLease("file", replica.toString(),
					new FileReplicaClient(replica).conditionalObjects().orElseThrow(), SHORT_TTL,
					new LeaseHolder("next", "next-host", 4343), java.time.Clock.systemUTC());
			assertThat(next.tryAcquire()).as("the next instance waits for the ttl").isEqualTo(LeaseAttempt.WAITING);
		}
		finally {
			finish.countDown();
			// The upload writes into the temporary directory: it must end before JUnit deletes it.
			finished.await(30, TimeUnit.SECONDS);
		}
	}

	@Test
	void leaseIsOffByDefaultInTheEngineApi() throws Exception {
		Path replica = this.dir.resolve("replica");
		Litestream engine = new Litestream();
		this.open.add(engine);
		ReplicatedDatabase database = engine.addDatabase(DatabaseOptions.defaults(newDatabase("plain.db")),
				List.of(new ReplicationTarget(new FileReplicaClient(replica), ReplicaOptions.defaults("file"))));
		engine.start();
		assertThat(engine.lease(engine.replicas(database).get(0))).isEmpty();
		assertThat(Files.exists(replica.resolve("lease.json.1"))).isFalse();
	}

	private void awaitRole(Instance instance, LeaseRole role) {
		await().atMost(Duration.ofSeconds(30)).until(() -> instance.lease().role() == role);
	}

	private static void steal(Path replica, Duration ttl) throws IOException {
		ConditionalObjects objects = new FileReplicaClient(replica).conditionalObjects().orElseThrow();
		ConditionalObjects.VersionedObject current = objects.read(ReplicaLease.OBJECT).orElseThrow();
		LeaseRecord held = LeaseRecord.parse(current.content());
		Instant now = Instant.now();
		LeaseRecord thief = new LeaseRecord(new LeaseHolder("thief", "thief-host", 4242), held.epoch() + 10, now,
				now.plus(ttl), ttl, false);
		objects.replace(ReplicaLease.OBJECT, thief.toJson(), current.version());
	}

	private int restoredState(Path replica) throws Exception {
		Path restored = this.dir.resolve("restored-" + System.nanoTime() + ".db");
		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(restored));
		return this.oracle.check(restored).state();
	}

	private static List<String> generations(Path replica) throws IOException {
		return new FileReplicaClient(replica).generations();
	}

	private static List<String> objects(Path replica) throws IOException {
		try (Stream<Path> files = Files.walk(replica.resolve("generations"))) {
			return files.filter(Files::isRegularFile).map(Path::toString).sorted().toList();
		}
	}

	private Path newDatabase(String name) throws Exception {
		Path db = this.dir.resolve(name);
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db)) {
			PageWriter.createTable(connection, ROWS);
		}
		return db;
	}

	private Instance instance(String name, Path replica, LeaseOptions lease) throws Exception {
		return instance(name, replica, lease, new FileReplicaClient(replica));
	}

	private Instance instance(String name, Path replica, LeaseOptions lease, ReplicaClient client) throws Exception {
		Path db = newDatabase(name);
		Litestream engine = new Litestream();
		ReplicatedDatabase database = engine.addDatabase(
				DatabaseOptions.defaults(db).withMonitorInterval(Duration.ofMillis(50)), lease,
				List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file")
					.withSyncInterval(Duration.ofMillis(100))
					.withSnapshotInterval(Duration.ofMillis(500)))));
		Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
		PageWriter.configure(connection);
		Instance instance = new Instance(engine, database, connection, new PageWriter(connection, ROWS, 1), this.oracle);
		this.open.add(engine);
		this.open.add(connection);
		return instance;
	}

	private record Instance(Litestream engine, ReplicatedDatabase database, Connection connection, PageWriter writer,
			ConsistencyOracle oracle) {

		/** Commits the next transactions of the shared history (one writer at a time). */
		void commit(int count) throws Exception {
			for (int i = 0; i < count; i++) {
				int k = this.oracle.lastLogged() + 1;
				long began = System.currentTimeMillis();
				this.oracle.committed(began, this.writer.commit(k));
			}
		}

		/** Copies everything committed and ships it to the replica now. */
		void ship() throws Exception {
			this.engine.commitPosition(this.database);
			this.engine.syncNow(replica()).get();
		}

		Replica replica() {
			return this.engine.replicas(this.database).get(0);
		}

		LeaseStatus lease() {
			return this.engine.lease(replica()).orElseThrow();
		}

	}

}
