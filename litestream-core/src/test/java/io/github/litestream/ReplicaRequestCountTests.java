package io.github.litestream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

/**
 * The requests one database's replica makes as it starts, counted on a real file replica: each
 * is a paid, slow request on S3, ABS, GCS or SFTP, and thousands of databases may start at
 * once. A new generation is listed once (its replica's other generations, for retention), a
 * continued one as much as proving continuity takes; then each sync is one upload. A request
 * added here shows as a failure: say in docs/performance.md what it costs, and why.
 */
class ReplicaRequestCountTests {

	private static final Duration FAST = Duration.ofMillis(50);

	private static final String OTHER_WRITER = "0123456789abcdef";

	@TempDir
	Path dir;

	@Test
	void aNewDatabaseListsItsReplicaOnceThenUploadsOnceASync() throws Exception {
		Path db = this.dir.resolve("app.db");
		CountingReplicaClient client = new CountingReplicaClient(new FileReplicaClient(this.dir.resolve("replica")));
		try (AppDatabase app = new AppDatabase(db); Litestream engine = new Litestream()) {
			Replica replica = start(engine, db, client);
			// Its snapshot, the WAL under it, and retention's first pass, which looks for other
			// generations to delete; the new generation itself is not listed.
			assertThat(kinds(client)).isEqualTo(
					Map.of("LIST generations", 1L, "PUT snapshot", 1L, "PUT wal", 1L));
			assertEachSyncUploadsOnce(engine, replica, app, client);
			close(engine, app);
		}
		assertRestores(db);
	}

	@Test
	void aRestartThatContinuesItsGenerationListsWhatProvesContinuity() throws Exception {
		Path db = this.dir.resolve("app.db");
		Path root = this.dir.resolve("replica");
		try (AppDatabase app = new AppDatabase(db); Litestream engine = new Litestream()) {
			Replica replica = start(engine, db, new CountingReplicaClient(new FileReplicaClient(root)));
			app.insert(1);
			awaitReplicated(engine, replica);
			close(engine, app);
		}
		CountingReplicaClient client = new CountingReplicaClient(new FileReplicaClient(root));
		try (Litestream engine = new Litestream()) {
			Replica replica = start(engine, db, client);
			// Before opening, the snapshots and WAL of the recorded generation (nobody moved it
			// on); at the first sync, the same again (where to resume, the last look before the
			// first write) and the newest segment's bytes (the same as the local WAL's); then
			// retention's first pass. The one upload is the next WAL index, which the engine's own
			// bookkeeping write began as it opened the database.
			assertThat(kinds(client)).isEqualTo(Map.of("GET wal", 1L, "LIST generations", 1L,
					"LIST snapshots", 2L, "LIST wal", 2L, "PUT wal", 1L));
			try (AppDatabase app = new AppDatabase(db)) {
				assertEachSyncUploadsOnce(engine, replica, app, client);
				close(engine, app);
			}
		}
		assertRestores(db);
	}

	@Test
	void aLeasedRestartListsTheGenerationOnceToCompareTheFileWithIt() throws Exception {
		Path db = this.dir.resolve("app.db");
		Path root = this.dir.resolve("replica");
		try (Litestream engine = new Litestream()) {
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			registerLeased(registry, db, new CountingReplicaClient(new FileReplicaClient(root)));
			try (AppDatabase app = new AppDatabase(db)) {
				app.insert(1);
				awaitReplicated(engine, engine.replicas(engine.databases().get(0)).get(0));
			}
			assertThat(registry.unregister(db, Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP)).isTrue();
		}
		CountingReplicaClient client = new CountingReplicaClient(new FileReplicaClient(root));
		try (Litestream engine = new Litestream()) {
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			Replica replica = engine.replicas(registerLeased(registry, db, client)).get(0);
			awaitReplicated(engine, replica);
			// As a restart without a lease, and the comparison of the file with the replica's
			// newest backup that another instance's lease calls for (this process is another
			// instance): the generations, and the snapshots and WAL of each, listed once.
			assertThat(kinds(client)).isEqualTo(Map.of("GET wal", 1L, "LIST generations", 2L, "LIST snapshots", 3L,
					"LIST wal", 3L, "PUT wal", 1L));
			assertThat(registry.unregister(db, Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP)).isTrue();
		}
		assertRestores(db);
	}

	@Test
	void aTenantRestoredOnAnotherHostListsItsReplicaOnceToRestore() throws Exception {
		Path db = this.dir.resolve("app.db");
		Path root = this.dir.resolve("replica");
		try (Litestream engine = new Litestream()) {
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			Replica replica = engine.replicas(register(registry, db, new CountingReplicaClient(new FileReplicaClient(root))))
				.get(0);
			try (AppDatabase app = new AppDatabase(db)) {
				awaitReplicated(engine, replica);
				app.insert(1);
				awaitReplicated(engine, replica);
			}
			assertThat(registry.unregister(db, Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP)).isTrue();
		}
		Path other = Files.createDirectories(this.dir.resolve("other-host")).resolve("app.db");
		// How many segments the first host's syncs shipped depends on when its steps ran.
		FileReplicaClient stored = new FileReplicaClient(root);
		long segments = stored.walSegments(stored.generations().get(0)).size();
		CountingReplicaClient client = new CountingReplicaClient(new FileReplicaClient(root));
		try (Litestream engine = new Litestream()) {
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			Replica replica = engine.replicas(register(registry, other, client)).get(0);
			awaitReplicated(engine, replica);
			// Choosing the backup, planning the restore and checking that it may continue the
			// generation share one listing; the snapshot and every segment are downloaded; then as
			// a restart: the continuation check, where to resume (one segment read back to compare),
			// retention's first pass.
			assertThat(kinds(client)).isEqualTo(Map.of("GET snapshot", 1L, "GET wal", segments + 1, "LIST generations",
					2L, "LIST snapshots", 3L, "LIST wal", 3L, "PUT wal", 1L));
			assertThat(registry.unregister(other, Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP)).isTrue();
		}
		assertThat(AppDatabase.summarize(other)).isEqualTo(AppDatabase.summarize(db));
	}

	@Test
	void aNewTenantFoundWithoutBackupListsItsReplicaOnce() throws Exception {
		Path db = this.dir.resolve("app.db");
		CountingReplicaClient client = new CountingReplicaClient(new FileReplicaClient(this.dir.resolve("replica")));
		try (Litestream engine = new Litestream()) {
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			Replica replica = engine.replicas(register(registry, db, client)).get(0);
			try (AppDatabase app = new AppDatabase(db)) {
				awaitReplicated(engine, replica);
				// The registry's look for a backup found no generation at all: retention's first pass
				// examines the new generation only, without listing the generations again. (The
				// application's first commit may ship with the snapshot or after it.)
				assertThat(listings(client)).isEqualTo(Map.of("LIST generations", 1L));
				assertThat(kinds(client)).containsEntry("PUT snapshot", 1L);
				assertEachSyncUploadsOnce(engine, replica, app, client);
			}
			assertThat(registry.unregister(db, Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP)).isTrue();
		}
		assertRestores(db);
	}

	/**
	 * What the first pass of a new tenant's retention leaves: a generation another writer began
	 * right after the registry's look (a second instance registering the same new tenant without
	 * a lease) is neither listed nor touched; the pass after the first snapshot known to it
	 * expires lists the generations again. Retention deletes only what it listed.
	 */
	@Test
	void aGenerationBegunAfterTheRegistrysLookIsLeftToALaterPass() throws Exception {
		Path db = this.dir.resolve("app.db");
		Path root = this.dir.resolve("replica");
		CountingReplicaClient counting = new CountingReplicaClient(new FileReplicaClient(root));
		AtomicBoolean looked = new AtomicBoolean();
		ReplicaClient client = new ForwardingReplicaClient(counting) {

			@Override
			public List<String> generations() throws IOException {
				List<String> listed = super.generations();
				if (looked.compareAndSet(false, true)) {
					// Another writer's first snapshot, moments after the registry found nothing.
					new FileReplicaClient(root).writeSnapshot(OTHER_WRITER, 0, new ByteArrayInputStream(new byte[] { 1 }));
				}
				return listed;
			}

		};
		try (Litestream engine = new Litestream()) {
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			ReplicatedDatabase database = registry.register(DatabaseOptions.defaults(db).withMonitorInterval(FAST),
					List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(FAST))));
			Replica replica = engine.replicas(database).get(0);
			try (AppDatabase app = new AppDatabase(db)) {
				awaitReplicated(engine, replica);
				assertThat(listings(counting)).isEqualTo(Map.of("LIST generations", 1L));
				// Steps enough for the first pass, each after the last: it made no request.
				assertEachSyncUploadsOnce(engine, replica, app, counting);
			}
			assertThat(new FileReplicaClient(root).snapshots(OTHER_WRITER)).hasSize(1);
			assertThat(registry.unregister(db, Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP)).isTrue();
		}
	}

	private ReplicatedDatabase register(DatabaseRegistry registry, Path db, CountingReplicaClient client)
			throws Exception {
		return registry.register(DatabaseOptions.defaults(db).withMonitorInterval(FAST),
				List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(FAST))));
	}

	private ReplicatedDatabase registerLeased(DatabaseRegistry registry, Path db, CountingReplicaClient client)
			throws Exception {
		return registry.register(DatabaseOptions.defaults(db).withMonitorInterval(FAST), LeaseOptions.defaults(),
				List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(FAST))));
	}

	@Test
	void aNewGenerationMetAgainAfterAFailedWriteIsListed() throws Exception {
		Path db = this.dir.resolve("app.db");
		CountingReplicaClient counting = new CountingReplicaClient(new FileReplicaClient(this.dir.resolve("replica")));
		LostAnswers client = new LostAnswers(counting);
		try (AppDatabase app = new AppDatabase(db);
				ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(db))) {
			database.open();
			Replica replica = new Replica(database, client, ReplicaOptions.defaults("file"));
			client.loseNextSnapshotAnswer.set(true);
			assertThatIOException().isThrownBy(replica::sync);
			assertThat(counting.log()).as("a new generation").containsExactly("PUT wal", "PUT snapshot");
			assertResumesAfterListing(app, database, replica, counting);
		}
		assertRestores(db);
	}

	@Test
	void aNewGenerationAnOperatorsSnapshotBeganIsListedAfterAFailedWrite() throws Exception {
		Path db = this.dir.resolve("app.db");
		CountingReplicaClient counting = new CountingReplicaClient(new FileReplicaClient(this.dir.resolve("replica")));
		LostAnswers client = new LostAnswers(counting);
		try (AppDatabase app = new AppDatabase(db);
				ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(db))) {
			database.open();
			Replica replica = new Replica(database, client, ReplicaOptions.defaults("file"));
			replica.snapshotNow();
			app.insert(1);
			database.sync();
			client.loseNextWalAnswer.set(true);
			assertThatIOException().isThrownBy(replica::sync);
			assertResumesAfterListing(app, database, replica, counting);
		}
		assertRestores(db);
	}

	/**
	 * Whatever the failed write's answer said, it may have landed: the replica lists, finds its
	 * snapshot and resumes after its WAL, rather than storing the same snapshot again.
	 */
	private void assertResumesAfterListing(AppDatabase app, ReplicatedDatabase database, Replica replica,
			CountingReplicaClient counting) throws Exception {
		counting.clear();
		app.insert(1);
		database.sync();
		replica.sync();
		assertThat(counting.log()).containsExactly("LIST snapshots", "LIST wal", "GET wal", "PUT wal");
		assertThat(replica.position()).isEqualTo(database.position());
	}

	private Replica start(Litestream engine, Path db, CountingReplicaClient client) throws Exception {
		ReplicatedDatabase database = engine.addDatabase(DatabaseOptions.defaults(db).withMonitorInterval(FAST),
				List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(FAST))));
		engine.start();
		Replica replica = engine.replicas(database).get(0);
		awaitReplicated(engine, replica);
		return replica;
	}

	/** Three commits, each replicated before the next: one WAL upload each, nothing else. */
	private void assertEachSyncUploadsOnce(Litestream engine, Replica replica, AppDatabase app,
			CountingReplicaClient client) throws Exception {
		client.clear();
		for (int i = 0; i < 3; i++) {
			app.insert(1);
			awaitReplicated(engine, replica);
		}
		assertThat(client.log()).containsExactly("PUT wal", "PUT wal", "PUT wal");
	}

	private void awaitReplicated(Litestream engine, Replica replica) throws Exception {
		ReplicatedDatabase database = engine.databases().get(0);
		Optional<Pos> committed = engine.commitPosition(database);
		await().atMost(Duration.ofMinutes(1)).until(() -> replica.position().equals(committed));
		// The step that got there has ended (retention's pass included): the lane runs one at a time.
		engine.syncNow(replica).get();
	}

	/** Stops cleanly (the application's connection first), so that the next start continues. */
	private void close(Litestream engine, AppDatabase app) throws Exception {
		app.close();
		assertThat(engine.stop(Duration.ofSeconds(30))).isTrue();
	}

	private void assertRestores(Path db) throws Exception {
		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(this.dir.resolve("replica")), RestoreOptions.latest(restored));
		assertThat(AppDatabase.summarize(restored)).isEqualTo(AppDatabase.summarize(db));
	}

	/** Writes that land, whose answer is then lost as a store's timeout loses it. */
	private static final class LostAnswers extends ForwardingReplicaClient {

		final AtomicBoolean loseNextSnapshotAnswer = new AtomicBoolean();

		final AtomicBoolean loseNextWalAnswer = new AtomicBoolean();

		LostAnswers(ReplicaClient delegate) {
			super(delegate);
		}

		@Override
		public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
			SnapshotInfo stored = super.writeSnapshot(generation, index, lz4);
			lose(this.loseNextSnapshotAnswer);
			return stored;
		}

		@Override
		public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
			WalSegmentInfo stored = super.writeWalSegment(pos, lz4);
			lose(this.loseNextWalAnswer);
			return stored;
		}

		private static void lose(AtomicBoolean next) throws IOException {
			if (next.getAndSet(false)) {
				throw new IOException("The store's answer was lost; the object was stored all the same");
			}
		}

	}

	private static Map<String, Long> listings(CountingReplicaClient client) {
		Map<String, Long> listings = new TreeMap<>(kinds(client));
		listings.keySet().removeIf((kind) -> !kind.startsWith("LIST"));
		return listings;
	}

	private static Map<String, Long> kinds(CountingReplicaClient client) {
		Map<String, Long> kinds = new TreeMap<>();
		client.log().forEach((kind) -> kinds.merge(kind, 1L, Long::sum));
		return kinds;
	}

}
