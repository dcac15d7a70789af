package io.github.litestream;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The requests a leased database makes to its replica's lease objects as it starts, counted on
 * a real file replica (see {@link ReplicaRequestCountTests} for the replica's own). The store's
 * conditional writes are probed once per start ({@code lease-probe.json}: a second create and
 * a stale replace must be refused), after the lease is read and before it is written; each
 * taking of the lease is one read and one conditional write. A lease taken ahead of the engine (for a restore) and taken over by it is
 * one holding: the engine's taking reads the record this instance wrote after its probe, and
 * probes no more. The ttl is long, so that no renewal falls inside what is counted.
 */
class LeaseRequestCountTests {

	private static final Duration FAST = Duration.ofMillis(50);

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofMinutes(10));

	/** The probe when the store holds no probe object yet: created, then both refusals, on the created version. */
	private static final List<String> FIRST_PROBE = List.of("GET lease-probe.json", "CREATE lease-probe.json",
			"CREATE lease-probe.json refused", "REPLACE lease-probe.json", "REPLACE lease-probe.json refused");

	/** The probe of a store probed before: its version read, then both refusals, on the version read. */
	private static final List<String> PROBE = List.of("GET lease-probe.json", "CREATE lease-probe.json refused",
			"REPLACE lease-probe.json", "REPLACE lease-probe.json refused");

	@TempDir
	Path dir;

	@Test
	void aNewLeasedTenantProbesItsStoreOnceForTheRestoreAndTheEngine() throws Exception {
		Path db = this.dir.resolve("app.db");
		CountingReplicaClient client = new CountingReplicaClient(new FileReplicaClient(this.dir.resolve("replica")));
		try (Litestream engine = new Litestream()) {
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			ReplicatedDatabase database = registerLeased(registry, db, client);
			// The restore's lease: the probe, then the lease created. The engine's: the same holding
			// taken over with its own conditional write.
			assertThat(client.leaseLog()).containsExactlyElementsOf(concat(List.of("GET lease.json"),
					FIRST_PROBE, List.of("CREATE lease.json", "GET lease.json", "REPLACE lease.json")));
			commitOne(engine, db, database);
			assertThat(registry.unregister(db, Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP)).isTrue();
		}
		assertRestores(db);
	}

	@Test
	void aLeasedRestartProbesItsStoreOnce() throws Exception {
		Path db = this.dir.resolve("app.db");
		Path root = this.dir.resolve("replica");
		try (Litestream engine = new Litestream()) {
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			ReplicatedDatabase database = registerLeased(registry, db,
					new CountingReplicaClient(new FileReplicaClient(root)));
			commitOne(engine, db, database);
			assertThat(registry.unregister(db, Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP)).isTrue();
		}
		CountingReplicaClient client = new CountingReplicaClient(new FileReplicaClient(root));
		try (Litestream engine = new Litestream()) {
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			ReplicatedDatabase database = registerLeased(registry, db, client);
			// A new instance: the store is probed again, and the released lease taken.
			assertThat(client.leaseLog()).containsExactlyElementsOf(
					concat(List.of("GET lease.json"), PROBE, List.of("REPLACE lease.json")));
			commitOne(engine, db, database);
			assertThat(registry.unregister(db, Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP)).isTrue();
		}
		assertRestores(db);
	}

	@Test
	void leasesTakenAheadOfTheEngineAreProbedOnceAtItsStart() throws Exception {
		// As restore-on-boot does: the leases are taken, the file restored, then the engine starts.
		Path db = this.dir.resolve("app.db");
		CountingReplicaClient client = new CountingReplicaClient(new FileReplicaClient(this.dir.resolve("replica")));
		List<ReplicationTarget> targets = List
			.of(new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(FAST)));
		try (Litestream engine = new Litestream();
				AdvanceLeases leases = new AdvanceLeases(engine.leaseHolder(), Clock.systemUTC())) {
			leases.take(targets, LEASE);
			ReplicatedDatabase database = engine.addDatabase(DatabaseOptions.defaults(db).withMonitorInterval(FAST),
					LEASE, targets);
			engine.onStarting(() -> {
				try {
					leases.handOver();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			engine.start();
			assertThat(client.leaseLog()).containsExactlyElementsOf(concat(List.of("GET lease.json"),
					FIRST_PROBE, List.of("CREATE lease.json", "GET lease.json", "REPLACE lease.json")));
			commitOne(engine, db, database);
			assertThat(engine.stop(Duration.ofSeconds(30))).isTrue();
		}
		assertRestores(db);
	}

	private ReplicatedDatabase registerLeased(DatabaseRegistry registry, Path db, CountingReplicaClient client)
			throws Exception {
		return registry.register(DatabaseOptions.defaults(db).withMonitorInterval(FAST), LEASE,
				List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(FAST))));
	}

	/** Commits a row and waits until the replica has it. */
	private static void commitOne(Litestream engine, Path db, ReplicatedDatabase database) throws Exception {
		try (AppDatabase app = new AppDatabase(db)) {
			app.insert(1);
		}
		Replica replica = engine.replicas(database).get(0);
		Optional<Pos> committed = engine.commitPosition(database);
		await().atMost(Duration.ofMinutes(1)).until(() -> replica.position().equals(committed));
	}

	private void assertRestores(Path db) throws Exception {
		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(this.dir.resolve("replica")), RestoreOptions.latest(restored));
		assertThat(AppDatabase.summarize(restored)).isEqualTo(AppDatabase.summarize(db));
	}

	@SafeVarargs
	private static List<String> concat(List<String>... parts) {
		return Stream.of(parts).flatMap(List::stream).toList();
	}

}
