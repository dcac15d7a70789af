package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.StoredLeases.storedLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A leased database unregistered while a replica's upload still runs leaves its lease to
 * expire (a write of that upload may yet land); registered again in the same process, the
 * engine takes that lease over as its own, and must still wait for that write, as a takeover
 * from a holder that did not release waits: two safety margins after the abandoned lease
 * stopped writing. An engine closed with a step under way abandons its leases the same way: the
 * step writes nothing after close returned. Real SQLite file, real file replica, a real engine;
 * the WAL upload is held, not slow.
 */
class AbandonedLeaseTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(3));

	private static final Duration SYNC = Duration.ofMillis(100);

	@TempDir
	Path dir;

	@Test
	void aDatabaseRegisteredAgainWaitsForTheWritesOfItsAbandonedLease() throws Exception {
		Path file = this.dir.resolve("app.db");
		Path replica = this.dir.resolve("replica");
		HeldWalUpload held = new HeldWalUpload(new FileReplicaClient(replica));
		try (AppDatabase app = new AppDatabase(file); Litestream engine = new Litestream()) {
			app.insert(10);
			engine.start();
			DatabaseRegistry registry = new DatabaseRegistry(engine);
			ReplicatedDatabase database = registry.register(options(file), LEASE, List.of(target(held)));
			Replica first = engine.replicas(database).get(0);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> first.position().equals(engine.commitPosition(database)));
			held.holding = true;
			app.insert(3);
			assertThat(held.writing.await(1, TimeUnit.MINUTES)).isTrue();

			long removing = System.nanoTime();
			assertThat(registry.unregister(file, Duration.ofMillis(200), Backups.KEEP)).isFalse();
			LeaseRecord left = storedLease(replica);
			assertThat(left.released()).as("left to expire").isFalse();
			assertThat(left.holder()).isEqualTo(engine.leaseHolder());

			FirstWrite again = new FirstWrite(new FileReplicaClient(replica));
			registry.register(options(file), LEASE, List.of(target(again)));
			assertThat(storedLease(replica).epoch()).as("taken over as this instance's own").isEqualTo(left.epoch());
			app.insert(3);
			await().atMost(Duration.ofSeconds(30)).until(() -> again.at.get() != 0);
			// Before the fix, the new registration wrote at its first step, while the held upload
			// of the abandoned one could still land.
			assertThat(Duration.ofNanos(again.at.get() - removing))
				.isGreaterThanOrEqualTo(LEASE.safetyMargin().multipliedBy(2));
			held.release.countDown();
			engine.stop(Duration.ofSeconds(10));
		}
		finally {
			held.release.countDown();
		}
	}

	@Test
	void aStepRunningAtTheEnginesCloseWritesNothingMoreOnceCloseReturned() throws Exception {
		Path file = this.dir.resolve("app.db");
		Path replica = this.dir.resolve("replica");
		HeldWalUpload held = new HeldWalUpload(new FileReplicaClient(replica));
		// A long ttl: the write window a renewal opens outlasts the test, which was what let a late
		// step write after close.
		LeaseOptions lease = new LeaseOptions(true, Duration.ofSeconds(30));
		Litestream engine = new Litestream();
		try (AppDatabase app = new AppDatabase(file)) {
			app.insert(10);
			// Syncs only when a commit waits for one: the next sync ships two WAL indexes.
			ReplicatedDatabase database = engine.addDatabase(options(file), lease, List.of(new ReplicationTarget(held,
					ReplicaOptions.defaults("file").withSyncInterval(Duration.ofHours(1)))));
			engine.start();
			Replica first = engine.replicas(database).get(0);
			// The first step syncs; no wait for commits (which may leave a retry queued) until the hold.
			await().atMost(Duration.ofSeconds(30)).until(() -> first.status().lastSyncAt() != null);
			app.insert(3);
			long index = engine.commitPosition(database).orElseThrow().index();
			// A reader (a snapshot's, the engine's own) may keep a checkpoint from starting the next index.
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				database.checkpoint(CheckpointMode.PASSIVE);
				return engine.commitPosition(database).orElseThrow().index() > index;
			});
			app.insert(3);
			Pos target = engine.commitPosition(database).orElseThrow();
			held.holding = true;
			Thread waiter = new Thread(
					() -> engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofMinutes(1)));
			waiter.setDaemon(true);
			waiter.start();
			assertThat(held.writing.await(1, TimeUnit.MINUTES)).isTrue();
			assertThat(held.heldAt.index()).as("the next index's segment follows the held one")
				.isLessThan(target.index());

			assertThat(engine.stop(Duration.ofMillis(100))).isFalse();
			engine.close();
			held.release.countDown();
			// The held segment passed its check before close; the next one's check comes after.
			await().atMost(Duration.ofSeconds(30))
				.until(() -> first.status().lastError() != null || !segments(replica, target).isEmpty());
			assertThat(segments(replica, target)).as("written after close returned").isEmpty();
			assertThat(first.status().lastError()).contains("does not hold its lease");
			assertThat(storedLease(replica).released()).as("left to expire").isFalse();
		}
		finally {
			held.release.countDown();
			engine.close();
		}
	}

	private static List<WalSegmentInfo> segments(Path replica, Pos at) throws IOException {
		return new FileReplicaClient(replica).walSegments(at.generation())
			.stream()
			.filter((segment) -> segment.index() == at.index())
			.toList();
	}

	private static DatabaseOptions options(Path file) {
		return DatabaseOptions.defaults(file).withMonitorInterval(Duration.ofMillis(50));
	}

	private static ReplicationTarget target(ReplicaClient client) {
		return new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(SYNC));
	}

	/** A real replica client whose next WAL segment upload, once held, waits for the test. */
	private static final class HeldWalUpload extends ForwardingReplicaClient {

		volatile boolean holding;

		volatile Pos heldAt;

		final CountDownLatch writing = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		HeldWalUpload(ReplicaClient delegate) {
			super(delegate);
		}

		@Override
		public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
			if (this.holding) {
				this.holding = false;
				this.heldAt = pos;
				this.writing.countDown();
				try {
					this.release.await(1, TimeUnit.MINUTES);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IOException(ex);
				}
			}
			return super.writeWalSegment(pos, lz4);
		}

	}

	/** A real replica client noting when its first snapshot or WAL segment upload began. */
	private static final class FirstWrite extends ForwardingReplicaClient {

		final AtomicLong at = new AtomicLong();

		FirstWrite(ReplicaClient delegate) {
			super(delegate);
		}

		@Override
		public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
			this.at.compareAndSet(0, System.nanoTime());
			return super.writeSnapshot(generation, index, lz4);
		}

		@Override
		public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
			this.at.compareAndSet(0, System.nanoTime());
			return super.writeWalSegment(pos, lz4);
		}

	}

}
