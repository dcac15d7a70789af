package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults while the runtime replicates under a steady write load: outside processes touching
 * the database, a replica that stops accepting writes. The application never sees an error
 * and nothing committed is lost.
 */
class FaultTests {

	@TempDir
	Path dir;

	private Path dbPath;

	private Path replicaRoot;

	private Litestream litestream;

	private ReplicatedDatabase database;

	private AppWriter writer;

	@BeforeEach
	void start() throws Exception {
		this.dbPath = this.dir.resolve("app.db");
		this.replicaRoot = this.dir.resolve("replica");
		this.litestream = new Litestream();
		this.database = this.litestream.addDatabase(
				DatabaseOptions.defaults(this.dbPath)
					.withMonitorInterval(Duration.ofMillis(20))
					.withCheckpoints(Duration.ofSeconds(1), 16, 1000),
				List.of(new ReplicationTarget(new FileReplicaClient(this.replicaRoot),
						ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)))));
		this.writer = new AppWriter(new AppDatabase(this.dbPath), Duration.ZERO);
		this.litestream.start();
		this.writer.start();
	}

	@AfterEach
	void stop() throws Exception {
		this.writer.stop();
		this.writer.app.close();
		this.litestream.close();
	}

	private Replica replica() {
		return this.litestream.replicas(this.database).get(0);
	}

	/** Stops writing, flushes, and checks that a restore holds every committed row. */
	private void assertNothingLost() throws Exception {
		this.writer.stop();
		assertThat(this.writer.error.get()).as("the application saw no error").isNull();
		await().atMost(Duration.ofMinutes(1)).until(() -> replica().position().equals(this.database.position()));
		assertThat(this.litestream.stop(Duration.ofSeconds(30))).isTrue();
		Path out = this.dir.resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(this.replicaRoot), RestoreOptions.latest(out));
		Summary restored = AppDatabase.summarize(out);
		assertThat(restored.integrity()).isEqualTo("ok");
		assertThat(restored).isEqualTo(this.writer.app.summary());
	}

	@Test
	void outsideProcessOpeningAndClosingDuringSnapshotsAndCheckpointsLosesNothing() throws Exception {
		String generation = this.database.position().orElseThrow().generation();
		long startIndex = this.database.position().orElseThrow().index();
		int refused = 0;
		for (int i = 0; i < 12; i++) {
			var snapshot = this.litestream.snapshotNow(replica());
			Process sqlite3 = CommandLineTools.start(
					new ProcessBuilder("sqlite3", this.dbPath.toString(), "SELECT COUNT(*) FROM t").redirectErrorStream(true));
			String out = new String(sqlite3.getInputStream().readAllBytes()).trim();
			assertThat(sqlite3.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(sqlite3.exitValue()).as(out).isZero();
			try {
				snapshot.get(30, TimeUnit.SECONDS);
			}
			catch (ExecutionException ex) {
				// The outside reader pinned the WAL just as the snapshot started its index: refused,
				// as documented, on a loaded machine now and then.
				assertThat(ex.getCause()).hasMessageContaining("ask again once it ends");
				refused++;
			}
			assertThat(this.dir.resolve("app.db-wal")).as("the live WAL survives the outside process").exists();
		}
		assertThat(refused).as("snapshots refused because the outside reader held the WAL").isLessThan(12);
		assertThat(this.database.position().orElseThrow().index()).as("checkpoints ran meanwhile")
			.isGreaterThan(startIndex);
		assertThat(this.database.position().orElseThrow().generation()).as("continuity was never lost")
			.isEqualTo(generation);
		assertNothingLost();
	}

	@Test
	void aReplicaThatStopsAcceptingWritesCatchesUpWhenItComesBack() throws Exception {
		// A whole sync, not just a position: the first snapshot sets one before it writes anything.
		await().until(() -> replica().status().lastSyncAt() != null);
		Path aside = this.dir.resolve("replica-aside");
		Files.move(this.replicaRoot, aside);
		Files.writeString(this.replicaRoot, "not a directory");
		long before = this.writer.app.lastSeq();
		await().atMost(Duration.ofMinutes(1)).until(() -> replica().status().failingSince() != null);
		await().until(() -> this.writer.app.lastSeq() > before + 50);
		Files.delete(this.replicaRoot);
		Files.move(aside, this.replicaRoot);
		await().atMost(Duration.ofMinutes(1)).until(() -> replica().status().failingSince() == null);
		assertNothingLost();
	}

}
