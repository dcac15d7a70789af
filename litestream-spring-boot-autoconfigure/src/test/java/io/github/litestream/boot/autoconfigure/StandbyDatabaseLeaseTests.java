package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.nio.file.Files;

import io.github.litestream.AppDatabase;
import io.github.litestream.DatabaseRegistry;
import io.github.litestream.EngineThreads;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalObjects.VersionedObject;
import io.github.litestream.replica.ForwardingConditionalObjects;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A standby entry whose file could be served at once: it is served only once the lease is
 * held and the file is still where the replica ends. If the lease cannot be read at start (the
 * store answered nothing), it waits, since another instance may be the primary; if the last
 * primary wrote its final commits between the first look and the lease, the file is set aside.
 */
class StandbyDatabaseLeaseTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	@TempDir
	Path dir;

	@Test
	void aLeaseThatCannotBeReadAtStartIsWaitedForBeforeServing() throws Exception {
		Path path = this.dir.resolve("app.db");
		AtomicBoolean storeDown = new AtomicBoolean(true);
		ReplicaClient client = beforeLeaseReads(new FileReplicaClient(this.dir.resolve("replica")), (name) -> {
			if (storeDown.get()) {
				throw new IOException("503 Service Unavailable (test)");
			}
		});
		LeaseHolder holder = LeaseHolder.newInstance();
		AtomicBoolean promoted = new AtomicBoolean();
		try (AppDatabase app = new AppDatabase(path);
				Litestream engine = new Litestream(Clock.systemUTC(), null, EngineThreads.defaults(), holder)) {
			app.insert(3);
			engine.start();
			StandbyDatabase standby = new StandbyDatabase("litestream.dbs[0]", path, Clock.systemUTC());
			try {
				standby.start(new DatabaseRegistry(engine), holder, DatabaseOptions.defaults(path), LEASE,
						List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file"))),
						() -> promoted.set(true));
				await().during(LEASE.ttl().multipliedBy(2))
					.atMost(LEASE.ttl().multipliedBy(4))
					.until(() -> !promoted.get() && standby.gate().state() == StandbyGate.State.WAITING);
				storeDown.set(false);
				await().atMost(Duration.ofSeconds(30)).untilTrue(promoted);
				assertThat(standby.gate().state()).isEqualTo(StandbyGate.State.OPEN);
				assertThat(standby.isPrimary()).isTrue();
			}
			finally {
				standby.close();
			}
		}
	}

	@Test
	void aFileTheLastPrimaryMovedPastWhileTheLeaseWasTakenIsSetAsideNotServed() throws Exception {
		Path replica = this.dir.resolve("replica");
		Path primaryPath = this.dir.resolve("primary.db");
		writeAndStop(primaryPath, replica, 3);
		Path path = this.dir.resolve("app.db");
		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(path).withContinueGeneration(true));
		// The old primary comes back, commits and stops (releasing its lease) right after this
		// instance found its file current, before its engine reads the lease.
		AtomicBoolean primaryRan = new AtomicBoolean();
		ReplicaClient client = beforeLeaseReads(new FileReplicaClient(replica), (name) -> {
			if (name.endsWith(ReplicaLease.OBJECT) && primaryRan.compareAndSet(false, true)) {
				writeAndStop(primaryPath, replica, 3);
			}
		});
		LeaseHolder holder = LeaseHolder.newInstance();
		AtomicBoolean promoted = new AtomicBoolean();
		try (Litestream engine = new Litestream(Clock.systemUTC(), null, EngineThreads.defaults(), holder)) {
			engine.start();
			StandbyDatabase standby = new StandbyDatabase("litestream.dbs[0]", path, Clock.systemUTC());
			try {
				standby.start(new DatabaseRegistry(engine), holder, DatabaseOptions.defaults(path), LEASE,
						List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file"))),
						() -> promoted.set(true));
				await().atMost(Duration.ofSeconds(30)).untilTrue(promoted);
				assertThat(primaryRan).isTrue();
				AppDatabase.Summary served = AppDatabase.summarize(path);
				assertThat(served.max()).isEqualTo(6);
				assertThat(served.isGapFreePrefix()).isTrue();
				try (var aside = Files.list(this.dir)) {
					assertThat(aside.map((file) -> file.getFileName().toString()))
						.anyMatch((name) -> name.startsWith("app.db.before-standby-") && !name.endsWith("-wal"));
				}
			}
			finally {
				standby.close();
			}
		}
	}

	@Test
	void whileOneLeaseCannotBeReadTheOthersAreNotTakenAndGivenBackAtEveryTry() throws Exception {
		Path path = this.dir.resolve("app.db");
		Path answering = this.dir.resolve("answering");
		ReplicaClient silent = beforeLeaseReads(new FileReplicaClient(this.dir.resolve("silent")), (name) -> {
			throw new IOException("503 Service Unavailable (test)");
		});
		LeaseHolder holder = LeaseHolder.newInstance();
		try (AppDatabase app = new AppDatabase(path);
				Litestream engine = new Litestream(Clock.systemUTC(), null, EngineThreads.defaults(), holder)) {
			app.insert(3);
			engine.start();
			StandbyDatabase standby = new StandbyDatabase("litestream.dbs[0]", path, Clock.systemUTC());
			try {
				standby.start(new DatabaseRegistry(engine), holder, DatabaseOptions.defaults(path), LEASE,
						List.of(new ReplicationTarget(new FileReplicaClient(answering), ReplicaOptions.defaults("a")),
								new ReplicationTarget(silent, ReplicaOptions.defaults("b"))),
						() -> {
						});
				// For three ttls (six tries), the lease that answers is not taken again.
				await().during(LEASE.ttl().multipliedBy(3)).atMost(LEASE.ttl().multipliedBy(5)).untilAsserted(() -> {
					assertThat(standby.gate().state()).isEqualTo(StandbyGate.State.WAITING);
					Optional<VersionedObject> lease = new FileReplicaClient(answering).conditionalObjects()
						.orElseThrow()
						.read(ReplicaLease.OBJECT);
					assertThat(lease)
						.hasValueSatisfying((stored) -> assertThat(LeaseRecord.parse(stored.content()).epoch())
							.as("taken once at start, not at every try")
							.isLessThanOrEqualTo(1));
				});
			}
			finally {
				standby.close();
			}
		}
	}

	/** Runs a primary on its own engine and holder: commits rows, then stops cleanly. */
	private static void writeAndStop(Path path, Path replica, int rows) throws IOException {
		try (AppDatabase app = new AppDatabase(path);
				Litestream primary = new Litestream(Clock.systemUTC(), null, EngineThreads.defaults(),
						LeaseHolder.newInstance())) {
			primary.addDatabase(DatabaseOptions.defaults(path), LEASE,
					List.of(new ReplicationTarget(new FileReplicaClient(replica), ReplicaOptions.defaults("file"))));
			primary.start();
			app.insert(rows);
			assertThat(primary.stop(Duration.ofSeconds(10))).isTrue();
		}
		catch (java.sql.SQLException ex) {
			throw new IOException(ex);
		}
	}

	/** A client whose reads of lease objects run a hook first (a store that does not answer, say). */
	private static ReplicaClient beforeLeaseReads(ReplicaClient delegate, ReadHook hook) {
		return new ForwardingReplicaClient(delegate) {

			@Override
			public Optional<ConditionalObjects> conditionalObjects() {
				return super.conditionalObjects().map((store) -> new ForwardingConditionalObjects(store) {

					@Override
					public Optional<VersionedObject> read(String name) throws IOException {
						hook.beforeRead(name);
						return super.read(name);
					}

				});
			}

		};
	}

	@FunctionalInterface
	private interface ReadHook {

		void beforeRead(String name) throws IOException;

	}

}
