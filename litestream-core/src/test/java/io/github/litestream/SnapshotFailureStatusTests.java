package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica whose WAL uploads succeed but whose snapshots keep failing (a size or multipart
 * limit, a policy that refuses large objects): its newest snapshot ages and all WAL since it is
 * kept, so the status must say it has been failing since the first failed snapshot.
 */
class SnapshotFailureStatusTests {

	@TempDir
	Path dir;

	private final MutableClock clock = new MutableClock();

	@Test
	void aReplicaWhoseSnapshotsKeepFailingIsReportedFailingSinceTheFirstFailure() throws Exception {
		try (Fixture fixture = new Fixture(this.dir.resolve("app.db"))) {
			SnapshotsFail client = fixture.client;
			Replica replica = fixture.replica;
			client.failing = true;
			Instant firstFailure = null;
			for (int tick = 0; tick < 8; tick++) {
				// What ReplicaTask.tick does every sync interval, half an hour apart.
				this.clock.advance(Duration.ofMinutes(30));
				fixture.writeAndShip();
				try {
					replica.snapshotIfDue();
				}
				catch (IOException ex) {
					firstFailure = (firstFailure != null) ? firstFailure : this.clock.instant();
				}
			}
			fixture.writeAndShip();
			assertThat(firstFailure).as("snapshots failed").isNotNull();
			assertThat(replica.status().failingSince())
				.as("every snapshot for four hours failed; the health indicator reads failingSince")
				.isNotNull()
				.isBeforeOrEqualTo(firstFailure);
		}
	}

	@Test
	void aFailingPeriodicSnapshotIsNotRetriedAtEverySyncInterval() throws Exception {
		try (Fixture fixture = new Fixture(this.dir.resolve("busy.db"))) {
			ReplicatedDatabase database = fixture.database;
			SnapshotsFail client = fixture.client;
			Replica replica = fixture.replica;
			client.failing = true;
			this.clock.advance(Duration.ofHours(2));
			for (int tick = 0; tick < 20; tick++) {
				// A busy database, one sync interval (1 s) apart: each attempt reads and uploads the
				// whole database file while holding the checkpoint lock.
				this.clock.advance(Duration.ofSeconds(1));
				fixture.writeAndShip();
				try {
					replica.snapshotIfDue();
				}
				catch (IOException ex) {
					// counted below
				}
			}
			assertThat(client.attempts).as("whole-database uploads tried in 20 seconds").isLessThanOrEqualTo(5);
		}
	}

	@Test
	void anIdleDatabaseWhoseSnapshotFailedTriesAgain() throws Exception {
		try (Fixture fixture = new Fixture(this.dir.resolve("idle.db"))) {
			ReplicatedDatabase database = fixture.database;
			SnapshotsFail client = fixture.client;
			Replica replica = fixture.replica;
			this.clock.advance(Duration.ofHours(2));
			fixture.writeAndShip();
			client.failing = true;
			assertThat(org.assertj.core.api.Assertions.catchThrowable(replica::snapshotIfDue))
				.isInstanceOf(IOException.class);
			client.failing = false;
			// No write since: the database is idle, but it still has no snapshot of its state.
			this.clock.advance(Duration.ofMinutes(15));
			database.sync();
			replica.sync();
			assertThat(replica.snapshotIfDue()).as("the failed snapshot taken again").isPresent();
			assertThat(replica.status().failingSince()).isNull();
		}
	}

	@Test
	void aReplicaWhoseRetentionKeepsFailingIsReportedFailingThoughItsSyncsSucceed() throws Exception {
		try (Fixture fixture = new Fixture(this.dir.resolve("kept.db"))) {
			SnapshotsFail client = fixture.client;
			Replica replica = fixture.replica;
			this.clock.advance(Duration.ofHours(2));
			fixture.writeAndShip();
			replica.snapshotIfDue();
			client.deletesDenied = true;
			this.clock.advance(Duration.ofHours(25));
			Instant denied = this.clock.instant();
			assertThat(org.assertj.core.api.Assertions.catchThrowable(replica::enforceRetention))
				.hasMessageContaining("AccessDenied");
			fixture.writeAndShip();
			assertThat(replica.status().failingSince()).as("retention still fails; the sync after it succeeded")
				.isNotNull()
				.isAfterOrEqualTo(denied);
			client.deletesDenied = false;
			assertThat(replica.enforceRetention()).isPositive();
			assertThat(replica.status().failingSince()).isNull();
		}
	}

	/** A database with a replica whose first snapshot is stored, on the test's clock. */
	private final class Fixture implements AutoCloseable {

		final AppDatabase app;

		final ReplicatedDatabase database;

		final SnapshotsFail client;

		final Replica replica;

		Fixture(Path path) throws Exception {
			this.app = new AppDatabase(path);
			this.database = new ReplicatedDatabase(DatabaseOptions.defaults(path), SnapshotFailureStatusTests.this.clock);
			this.database.open();
			this.client = new SnapshotsFail(new FileReplicaClient(SnapshotFailureStatusTests.this.dir.resolve("replica")));
			this.replica = new Replica(this.database, this.client, ReplicaOptions.defaults("file"),
					SnapshotFailureStatusTests.this.clock);
			this.app.insert(5);
			this.database.sync();
			this.replica.sync();
		}

		/** Commits one row and ships it, as a replica's step does after the monitor's. */
		void writeAndShip() throws Exception {
			this.app.insert(1);
			this.database.sync();
			this.replica.sync();
		}

		@Override
		public void close() throws Exception {
			try {
				this.database.close();
			}
			finally {
				this.app.close();
			}
		}

	}

	private static final class SnapshotsFail extends ForwardingReplicaClient {

		volatile boolean failing;

		volatile int attempts;

		volatile boolean deletesDenied;

		SnapshotsFail(ReplicaClient delegate) {
			super(delegate);
		}

		@Override
		public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
			if (this.failing) {
				this.attempts++;
				throw new IOException("EntityTooLarge: snapshot refused by the store");
			}
			return super.writeSnapshot(generation, index, lz4);
		}

		@Override
		public void deleteSnapshot(String generation, long index) throws IOException {
			denyDeletes();
			super.deleteSnapshot(generation, index);
		}

		@Override
		public void deleteWalSegments(java.util.Collection<io.github.litestream.replica.Pos> segments)
				throws IOException {
			denyDeletes();
			super.deleteWalSegments(segments);
		}

		private void denyDeletes() throws IOException {
			if (this.deletesDenied) {
				throw new IOException("AccessDenied: s3:DeleteObject not allowed");
			}
		}

	}

}
