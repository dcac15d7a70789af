package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replica that is down for long must not let the shadow WAL fill the disk: past
 * {@code max-shadow-wal-size} the engine stops keeping WAL for it, and it restarts from a new
 * snapshot when it comes back.
 */
class ShadowWalBoundTests {

	private static final long BOUND = 256 * 1024;

	@TempDir
	Path dir;

	private final Litestream litestream = new Litestream();

	@AfterEach
	void stop() {
		this.litestream.close();
	}

	@Test
	void aFailingReplicaIsNoLongerKeptPastTheBoundAndComesBackThroughASnapshot() throws Exception {
		Path root = this.dir.resolve("replica");
		// An outage: the replica's root is a file, so every write to it fails.
		Files.writeString(root, "not a directory");
		FileReplicaClient client = new FileReplicaClient(root);
		ReplicatedDatabase database = addDatabase(client, BOUND);
		Replica replica = this.litestream.replicas(database).get(0);
		try (AppDatabase app = new AppDatabase(database.path())) {
			this.litestream.start();
			await().atMost(Duration.ofMinutes(1)).until(() -> {
				app.insert(20);
				return replica.status().walReleasedAt() != null;
			});
			long shadowWhenReleased = database.shadowWalSize();
			await().untilAsserted(() -> assertThat(database.shadowWalSize()).isLessThan(BOUND));
			assertThat(replica.status().failingSince()).isNotNull();

			Files.delete(root);
			app.insert(5);
			Pos target = database.position().orElseThrow();
			await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
				assertThat(replica.status().walReleasedAt()).isNull();
				assertThat(replica.position()).hasValueSatisfying((pos) -> assertThat(pos).isGreaterThanOrEqualTo(target));
			});
			List<SnapshotInfo> snapshots = client.snapshots(target.generation());
			assertThat(snapshots).as("the replica restarted from a snapshot of a later index")
				.anySatisfy((snapshot) -> assertThat(snapshot.index()).isPositive());
			assertThat(this.litestream.stop(Duration.ofSeconds(30))).isTrue();
			Path out = this.dir.resolve("restored.db");
			new Restorer().restore(client, RestoreOptions.latest(out));
			assertThat(AppDatabase.summarize(out)).as("shadow WAL was %d bytes when released", shadowWhenReleased)
				.isEqualTo(app.summary());
		}
	}

	@Test
	void aReplicaBackAfterItsWalWasReleasedRestoresConsistentlyBeforeAndAfterItsSnapshotLands() throws Exception {
		Path root = this.dir.resolve("replica");
		FileReplicaClient files = new FileReplicaClient(root);
		Outage outage = new Outage(files);
		ReplicatedDatabase database = addDatabase(outage, BOUND);
		Replica replica = this.litestream.replicas(database).get(0);
		try (AppDatabase app = new AppDatabase(database.path())) {
			this.litestream.start();
			app.insert(5);
			Pos stored = database.copyCommitted().orElseThrow();
			await().atMost(Duration.ofSeconds(30))
				.until(() -> replica.position().filter((pos) -> pos.compareTo(stored) >= 0).isPresent());
			long rowsStored = app.lastSeq();
			outage.walDown = true;
			outage.snapshotsDown = true;
			await().atMost(Duration.ofMinutes(1)).until(() -> {
				app.insert(20);
				return replica.status().walReleasedAt() != null;
			});
			// Back, but its catch-up snapshot keeps failing (or the host dies while it uploads).
			outage.walDown = false;
			Instant back = Instant.now();
			app.insert(5);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> replica.status().lastErrorAt() != null && replica.status().lastErrorAt().isAfter(back));
			// Until the snapshot lands, the replica holds no WAL past its old end: the catch-up
			// snapshot is of a new index and goes first (or, when the next index was the one
			// missing, a new generation without a snapshot yet is passed over). A latest restore
			// gets the old end, without falling back and without mixing the two.
			Path meanwhile = this.dir.resolve("meanwhile.db");
			new Restorer().restore(files, RestoreOptions.latest(meanwhile));
			AppDatabase.Summary restored = AppDatabase.summarize(meanwhile);
			assertThat(restored.isGapFreePrefix()).as("%s", restored).isTrue();
			assertThat(restored.max()).isGreaterThanOrEqualTo(rowsStored);

			outage.snapshotsDown = false;
			// Possibly in a new generation: caught up is the replica at the database's position.
			await().atMost(Duration.ofMinutes(1))
				.until(() -> replica.position().equals(database.copyCommitted()));
			assertThat(this.litestream.stop(Duration.ofSeconds(30))).isTrue();
			Path out = this.dir.resolve("restored.db");
			new Restorer().restore(files, RestoreOptions.latest(out));
			assertThat(AppDatabase.summarize(out)).isEqualTo(app.summary());
		}
	}

	/** A replica whose WAL uploads and snapshot uploads fail separately. */
	private static final class Outage extends ForwardingReplicaClient {

		volatile boolean walDown;

		volatile boolean snapshotsDown;

		Outage(ReplicaClient delegate) {
			super(delegate);
		}

		@Override
		public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
			if (this.walDown) {
				throw new IOException("Store unreachable (test)");
			}
			return super.writeWalSegment(pos, lz4);
		}

		@Override
		public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
			if (this.snapshotsDown) {
				throw new IOException("Snapshot upload failed (test)");
			}
			return super.writeSnapshot(generation, index, lz4);
		}

	}

	@Test
	void withoutABoundAFailingReplicaKeepsEveryByte() throws Exception {
		Path root = this.dir.resolve("replica");
		Files.writeString(root, "not a directory");
		ReplicatedDatabase database = addDatabase(new FileReplicaClient(root), 0);
		Replica replica = this.litestream.replicas(database).get(0);
		try (AppDatabase app = new AppDatabase(database.path())) {
			this.litestream.start();
			await().atMost(Duration.ofMinutes(1)).until(() -> {
				app.insert(20);
				return database.shadowWalSize() > 2 * BOUND;
			});
			assertThat(replica.status().walReleasedAt()).isNull();
		}
	}

	private ReplicatedDatabase addDatabase(ReplicaClient client, long bound) {
		DatabaseOptions options = DatabaseOptions.defaults(this.dir.resolve("app.db"))
			.withMonitorInterval(Duration.ofMillis(50))
			.withCheckpoints(Duration.ofHours(1), 16, 32)
			.withMaxShadowWalSize(bound);
		ReplicaOptions replica = ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(100));
		return this.litestream.addDatabase(options, List.of(new ReplicationTarget(client, replica)));
	}

}
