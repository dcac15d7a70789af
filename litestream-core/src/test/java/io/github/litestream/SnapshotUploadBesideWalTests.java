package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.SnapshotUpload;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.RestoreResult;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A snapshot uploads beside the replica's WAL shipping: while it uploads, commits keep reaching
 * the replica, a restore taken at any moment equals one committed state, and the snapshot
 * counts (status, restore) only once it is stored.
 */
class SnapshotUploadBesideWalTests {

	private final ConsistencyOracle oracle = new ConsistencyOracle(OracleEngine.ROWS);

	@TempDir
	Path dir;

	private int restores;

	@Test
	void aRestoreAtAnyMomentOfASlowSnapshotUploadEqualsOneCommittedState() throws Exception {
		Path root = this.dir.resolve("replica");
		FileReplicaClient files = new FileReplicaClient(root);
		BlockingSnapshots blocking = new BlockingSnapshots(new FileReplicaClient(root));
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("app.db"), this.oracle, true, blocking)) {
			primary.commit(10);
			primary.awaitReplicated();
			assertRestoresLatestState(files, 0);
			Replica replica = primary.litestream().replicas(primary.database()).get(0);
			blocking.block();
			Future<ReplicaStatus> snapshot = primary.litestream().snapshotNow(replica);
			assertThat(blocking.beforeWrite.await(1, TimeUnit.MINUTES)).isTrue();
			// The upload holds the file: a checkpoint now must not change it under the upload.
			primary.database().checkpoint(CheckpointMode.PASSIVE);
			for (int round = 0; round < 3; round++) {
				primary.commit(5);
				primary.awaitReplicated();
				assertRestoresLatestState(files, 0);
			}
			blocking.write.countDown();
			// Stored, and the replica's thread does not know it yet.
			assertThat(blocking.afterWrite.await(1, TimeUnit.MINUTES)).isTrue();
			primary.commit(5);
			primary.awaitReplicated();
			RestoreResult withNewSnapshot = assertRestoresLatestState(files, 1);
			assertThat(withNewSnapshot.plan().snapshot().index()).isEqualTo(blocking.snapshotIndex.get());
			blocking.finish.countDown();
			snapshot.get(1, TimeUnit.MINUTES);
			primary.commit(5);
			primary.awaitReplicated();
			assertRestoresLatestState(files, 1);
		}
		finally {
			blocking.releaseAll();
		}
		assertRestoresLatestState(files, 1);
	}

	@Test
	void aSnapshotCountsOnlyOnceItIsStored() throws Exception {
		Path root = this.dir.resolve("replica");
		FileReplicaClient files = new FileReplicaClient(root);
		BlockingSnapshots blocking = new BlockingSnapshots(new FileReplicaClient(root));
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("app.db"), this.oracle, true, blocking)) {
			primary.commit(10);
			primary.awaitReplicated();
			Replica replica = primary.litestream().replicas(primary.database()).get(0);
			ReplicaStatus before = replica.status();
			assertThat(before.snapshotCount()).isOne();
			blocking.block();
			Future<ReplicaStatus> snapshot = primary.litestream().snapshotNow(replica);
			assertThat(blocking.beforeWrite.await(1, TimeUnit.MINUTES)).isTrue();
			primary.commit(5);
			primary.awaitReplicated();
			String generation = primary.database().position().orElseThrow().generation();
			assertThat(files.snapshots(generation)).as("stored").hasSize(1);
			assertThat(replica.status().snapshotCount()).as("counted while uploading").isOne();
			assertThat(replica.status().lastSnapshotAt()).isEqualTo(before.lastSnapshotAt());
			assertThat(snapshot).isNotDone();
			blocking.write.countDown();
			assertThat(blocking.afterWrite.await(1, TimeUnit.MINUTES)).isTrue();
			assertThat(files.snapshots(generation)).as("stored").hasSize(2);
			assertThat(snapshot).as("not done before the store returned").isNotDone();
			blocking.finish.countDown();
			ReplicaStatus after = snapshot.get(1, TimeUnit.MINUTES);
			assertThat(after.snapshotCount()).isEqualTo(2);
			assertThat(after.position()).isEqualTo(primary.database().position().orElseThrow());
		}
		finally {
			blocking.releaseAll();
		}
	}

	@Test
	void aPeriodicSnapshotUploadsBesideWalShippingToo() throws Exception {
		Path path = this.dir.resolve("app.db");
		BlockingSnapshots blocking = new BlockingSnapshots(new FileReplicaClient(this.dir.resolve("replica")));
		Litestream engine = new Litestream();
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = engine.addDatabase(
					DatabaseOptions.defaults(path).withMonitorInterval(Duration.ofMillis(50)),
					List.of(new ReplicationTarget(blocking, ReplicaOptions.defaults("file")
						.withSyncInterval(Duration.ofMillis(50))
						.withSnapshotInterval(Duration.ofMillis(200)))));
			engine.start();
			try {
				app.insert(5);
				Replica replica = engine.replicas(database).get(0);
				await().until(() -> replica.position().equals(database.position()));
				int stored = replica.status().snapshotCount();
				blocking.block();
				app.insert(1);
				assertThat(blocking.beforeWrite.await(1, TimeUnit.MINUTES)).isTrue();
				app.insert(1);
				assertThat(engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(10)).outcome())
					.isEqualTo(ReplicationWait.Outcome.REPLICATED);
				assertThat(replica.snapshotUpload()).as("still uploading").isPresent();
				blocking.releaseAll();
				await().until(() -> replica.status().snapshotCount() > stored);
			}
			finally {
				blocking.releaseAll();
				engine.stop(Duration.ofSeconds(30));
				engine.close();
			}
		}
	}

	@Test
	void stoppingCancelsAnUploadThatOutlastsTheTimeoutAndStoresNothingPartial() throws Exception {
		Path db = this.dir.resolve("app.db");
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
				Statement s = connection.createStatement()) {
			PageWriter.configure(connection);
			// More than one LZ4 block (4 MiB): the upload still reads the file after it stalls.
			s.execute("CREATE TABLE filler (b BLOB)");
			s.execute("INSERT INTO filler VALUES (randomblob(6 * 1024 * 1024))");
		}
		Path root = this.dir.resolve("replica");
		FileReplicaClient files = new FileReplicaClient(root);
		SlowSnapshotClient slow = new SlowSnapshotClient(new FileReplicaClient(root));
		SlowOnceSwitched client = new SlowOnceSwitched(new FileReplicaClient(root), slow);
		String generation;
		try (OracleEngine primary = new OracleEngine(db, this.oracle, true, client)) {
			primary.commit(10);
			primary.awaitReplicated();
			generation = primary.database().position().orElseThrow().generation();
			Replica replica = primary.litestream().replicas(primary.database()).get(0);
			client.slow = true;
			Future<ReplicaStatus> snapshot = primary.litestream().snapshotNow(replica);
			assertThat(slow.awaitStarted()).isTrue();
			// The upload stalls on its thread before the lane that began it has recorded it.
			SnapshotUpload upload = await().until(replica::snapshotUpload, Optional::isPresent).orElseThrow();
			primary.commit(5);
			assertThat(primary.litestream().stop(Duration.ofMillis(500))).as("the WAL is flushed meanwhile").isTrue();
			assertThat(upload.cancelled()).as("a stop flushes; closing cancels").isFalse();
			CompletableFuture<Void> closing = CompletableFuture.runAsync(primary.litestream()::close);
			await().atMost(Duration.ofMinutes(1)).until(upload::cancelled);
			slow.release();
			closing.get(1, TimeUnit.MINUTES);
			assertThat(slow.firstSnapshot.get(1, TimeUnit.MINUTES)).as("the upload's outcome")
				.hasMessageContaining("cancelled");
			assertThat(snapshot).failsWithin(Duration.ofMinutes(1));
		}
		finally {
			slow.release();
		}
		assertThat(files.snapshots(generation)).hasSize(1);
		assertRestoresLatestState(files, 0);
	}

	private RestoreResult assertRestoresLatestState(ReplicaClient files, int newSnapshots) throws Exception {
		Path restored = this.dir.resolve("restored-" + (++this.restores) + ".db");
		RestoreResult result = new Restorer().restore(files, RestoreOptions.latest(restored));
		assertThat(this.oracle.check(restored).state()).as("restore %d", this.restores)
			.isEqualTo(this.oracle.lastLogged());
		assertThat(files.snapshots(result.plan().generation())).hasSize(1 + newSnapshots);
		return result;
	}

	/**
	 * Blocks the next snapshot before it is written, and again after it is stored but before the
	 * store returns to the engine.
	 */
	@Test
	void noMoreSnapshotsUploadAtOnceThanTheEngineHasReplicaThreads() throws Exception {
		Litestream engine = new Litestream(java.time.Clock.systemUTC(), null, new EngineThreads(1, 1));
		List<BlockingSnapshots> stores = new java.util.ArrayList<>();
		List<AppDatabase> apps = new java.util.ArrayList<>();
		List<ReplicatedDatabase> databases = new java.util.ArrayList<>();
		try {
			for (String name : List.of("a", "b")) {
				Path path = this.dir.resolve(name + ".db");
				apps.add(new AppDatabase(path));
				BlockingSnapshots store = new BlockingSnapshots(new FileReplicaClient(this.dir.resolve("replica-" + name)));
				stores.add(store);
				databases.add(engine.addDatabase(DatabaseOptions.defaults(path).withMonitorInterval(Duration.ofMillis(50)),
						List.of(new ReplicationTarget(store, ReplicaOptions.defaults("file")
							.withSyncInterval(Duration.ofMillis(50))))));
			}
			engine.start();
			for (int i = 0; i < 2; i++) {
				apps.get(i).insert(5);
				Replica replica = engine.replicas(databases.get(i)).get(0);
				ReplicatedDatabase database = databases.get(i);
				await().until(() -> replica.position().equals(database.position()));
				stores.get(i).block();
			}
			Replica first = engine.replicas(databases.get(0)).get(0);
			Replica second = engine.replicas(databases.get(1)).get(0);
			Future<ReplicaStatus> uploading = engine.snapshotNow(first);
			assertThat(stores.get(0).beforeWrite.await(1, TimeUnit.MINUTES)).isTrue();
			assertThat(org.assertj.core.api.Assertions.catchThrowable(
					() -> engine.snapshotNow(second).get(1, TimeUnit.MINUTES)))
				.as("the one snapshot thread is busy")
				.hasMessageContaining("replica threads");
			stores.get(0).releaseAll();
			uploading.get(1, TimeUnit.MINUTES);
			stores.get(1).releaseAll();
			assertThat(engine.snapshotNow(second).get(1, TimeUnit.MINUTES).snapshotCount()).isGreaterThan(1);
		}
		finally {
			stores.forEach(BlockingSnapshots::releaseAll);
			engine.stop(Duration.ofSeconds(30));
			engine.close();
			for (AppDatabase app : apps) {
				app.close();
			}
		}
	}

	private static final class BlockingSnapshots extends ForwardingReplicaClient {

		private volatile boolean blocking;

		final CountDownLatch beforeWrite = new CountDownLatch(1);

		final CountDownLatch write = new CountDownLatch(1);

		final CountDownLatch afterWrite = new CountDownLatch(1);

		final CountDownLatch finish = new CountDownLatch(1);

		final AtomicInteger snapshotIndex = new AtomicInteger(-1);

		BlockingSnapshots(ReplicaClient delegate) {
			super(delegate);
		}

		void block() {
			this.blocking = true;
		}

		void releaseAll() {
			this.write.countDown();
			this.finish.countDown();
		}

		@Override
		public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
			if (!this.blocking) {
				return super.writeSnapshot(generation, index, lz4);
			}
			this.blocking = false;
			this.beforeWrite.countDown();
			await(this.write);
			SnapshotInfo info = super.writeSnapshot(generation, index, lz4);
			this.snapshotIndex.set((int) index);
			this.afterWrite.countDown();
			await(this.finish);
			return info;
		}

		private static void await(CountDownLatch latch) throws IOException {
			try {
				if (!latch.await(1, TimeUnit.MINUTES)) {
					throw new IOException("Test latch not released");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException(ex);
			}
		}

	}

	/** Sends snapshots to a slow client once switched, everything else straight through. */
	private static final class SlowOnceSwitched extends ForwardingReplicaClient {

		volatile boolean slow;

		private final SlowSnapshotClient slowClient;

		SlowOnceSwitched(ReplicaClient delegate, SlowSnapshotClient slowClient) {
			super(delegate);
			this.slowClient = slowClient;
		}

		@Override
		public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
			return this.slow ? this.slowClient.writeSnapshot(generation, index, lz4)
					: super.writeSnapshot(generation, index, lz4);
		}

	}

}
