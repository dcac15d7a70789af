package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus.ValidationResult;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.ReplicaValidator;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The engine end to end with real SQLite, a file replica and the real restore: what the
 * application committed is what a restore gives back, at every point.
 */
class ReplicationRoundTripTests {

	@TempDir
	Path dir;

	private Path dbPath;

	private AppDatabase app;

	private ReplicatedDatabase database;

	private FileReplicaClient client;

	private Replica replica;

	private final MutableClock clock = new MutableClock();

	@BeforeEach
	void setUp() throws Exception {
		this.dbPath = this.dir.resolve("app.db");
		this.app = new AppDatabase(this.dbPath);
		this.client = new FileReplicaClient(this.dir.resolve("replica"));
		this.database = new ReplicatedDatabase(
				DatabaseOptions.defaults(this.dbPath).withCheckpoints(Duration.ofMinutes(1), 8, 10000), this.clock);
		this.database.open();
		this.replica = new Replica(this.database, this.client, ReplicaOptions.defaults("file"), this.clock);
	}

	@AfterEach
	void tearDown() throws Exception {
		this.app.close();
		this.database.close();
	}

	/** Writes, copies and ships one batch; returns the index the batch landed in. */
	private long batch(int rows) throws Exception {
		this.app.insert(rows);
		this.database.sync();
		this.replica.sync();
		// A checkpoint leaves the WAL's restart to the next write: the batch's index is current.
		return this.database.position().orElseThrow().index();
	}

	private Summary restore(RestoreOptions options) throws Exception {
		new Restorer().restore(this.client, options);
		return AppDatabase.summarize(options.outputPath());
	}

	private Path output(String name) {
		return this.dir.resolve("restored").resolve(name);
	}

	@Test
	void roundTripAcrossManyIndexesAndCheckpoints() throws Exception {
		for (int i = 0; i < 40; i++) {
			batch(1 + i % 7);
		}
		Pos pos = this.replica.position().orElseThrow();
		assertThat(pos.index()).isGreaterThan(10);
		Summary restored = restore(RestoreOptions.latest(output("latest.db")));
		assertThat(restored).isEqualTo(this.app.summary());
		assertThat(restored.integrity()).isEqualTo("ok");
		assertThat(restored.isGapFreePrefix()).isTrue();
	}

	@Test
	void restoresEveryIndexToTheStateAtItsEnd() throws Exception {
		TreeMap<Long, Summary> atEndOfIndex = new TreeMap<>();
		for (int i = 0; i < 25; i++) {
			long index = batch(1 + i % 5);
			atEndOfIndex.put(index, this.app.summary());
		}
		this.replica.snapshot();
		for (int i = 0; i < 10; i++) {
			long index = batch(3);
			atEndOfIndex.put(index, this.app.summary());
		}
		for (var entry : atEndOfIndex.entrySet()) {
			Path out = output("index-" + Pos.hex(entry.getKey()) + ".db");
			assertThat(restore(RestoreOptions.latest(out).withIndex(entry.getKey())))
				.as("restore at index %s", Pos.hex(entry.getKey()))
				.isEqualTo(entry.getValue());
		}
	}

	@Test
	void restoresThePointInTimeGivenByATimestamp() throws Exception {
		TreeMap<Instant, Summary> states = new TreeMap<>();
		for (int i = 0; i < 8; i++) {
			batch(4);
			Instant after = Instant.now();
			states.put(after, this.app.summary());
			// Object times come from file modification times; let the file system clock move on.
			await().until(() -> Instant.now().isAfter(after.plusMillis(20)));
		}
		for (var entry : states.entrySet()) {
			Path out = output("at-" + entry.getKey().toEpochMilli() + ".db");
			assertThat(restore(RestoreOptions.latest(out).withTimestamp(entry.getKey().plusMillis(5))))
				.isEqualTo(entry.getValue());
		}
	}

	@Test
	void snapshotsAreStandardLz4FramesOfAValidDatabase() throws Exception {
		batch(50);
		SnapshotInfo snapshot = this.replica.snapshot();
		Path lz4 = this.dir.resolve("replica/generations/" + snapshot.generation() + "/snapshots/"
				+ Pos.hex(snapshot.index()) + ".snapshot.lz4");
		Path plain = this.dir.resolve("snapshot.db");
		assertThat(Cli.run("lz4", "-d", "-q", lz4.toString(), plain.toString())).isEqualTo("");
		assertThat(Cli.run("sqlite3", plain.toString(), "PRAGMA integrity_check")).isEqualTo("ok");
		for (WalSegmentInfo segment : this.client.walSegments(snapshot.generation())) {
			try (InputStream in = this.client.openWalSegment(segment.pos())) {
				byte[] magic = in.readNBytes(4);
				assertThat(magic).containsExactly(0x04, 0x22, 0x4d, 0x18);
			}
		}
	}

	@Test
	void timeBasedCheckpointOfAnIdleDatabaseShipsNothingAndKeepsTheIndex() throws Exception {
		List<String> checkpoints = new CopyOnWriteArrayList<>();
		this.database.addListener(new DatabaseListener() {
			@Override
			public void onCheckpoint(CheckpointMode mode, Duration duration) {
				checkpoints.add(mode.name());
			}
		});
		// The schema and two rows reach the size threshold; the next write restarts the WAL, and
		// the index it begins stays below the threshold.
		batch(2);
		batch(1);
		Pos before = this.replica.position().orElseThrow();
		assertThat(before.index()).isEqualTo(1);
		List<WalSegmentInfo> shipped = this.client.walSegments(before.generation());
		checkpoints.clear();

		this.clock.advance(Duration.ofMinutes(2));
		this.database.sync();
		this.replica.sync();

		assertThat(checkpoints).containsExactly("PASSIVE");
		assertThat(this.replica.position()).contains(before);
		assertThat(this.client.walSegments(before.generation())).isEqualTo(shipped);
		// The rows reached the database file itself: a copy without the WAL holds them all.
		Path fileOnly = Files.copy(this.dbPath, this.dir.resolve("file-only.db"));
		assertThat(AppDatabase.summarize(fileOnly)).isEqualTo(this.app.summary());

		// The application's next writes continue the same index: the WAL was not restarted.
		assertThat(batch(3)).isEqualTo(before.index());
		assertThat(this.replica.position().orElseThrow().index()).isEqualTo(before.index());
		assertThat(restore(RestoreOptions.latest(output("after-idle.db")))).isEqualTo(this.app.summary());
	}

	@Test
	void retentionDeletesWhatNoRestoreNeedsAndKeepsTheNewestPoint() throws Exception {
		batch(20);
		String generation = this.replica.position().orElseThrow().generation();
		for (int i = 0; i < 3; i++) {
			batch(10);
			this.replica.snapshot();
		}
		batch(10);
		Replica retaining = new Replica(this.database, this.client,
				ReplicaOptions.defaults("file").withRetention(Duration.ofHours(1), Duration.ofMinutes(1)), this.clock);
		retaining.sync();
		this.clock.advance(Duration.ofHours(2));
		int deleted = retaining.enforceRetention();
		assertThat(deleted).isGreaterThan(0);
		List<SnapshotInfo> left = this.client.snapshots(generation);
		assertThat(left).hasSize(1);
		assertThat(this.client.walSegments(generation)).allMatch((s) -> s.index() >= left.get(0).index());
		assertThat(restore(RestoreOptions.latest(output("after-retention.db")))).isEqualTo(this.app.summary());
	}

	@Test
	void retentionDeletesOldGenerations() throws Exception {
		batch(5);
		String old = this.replica.position().orElseThrow().generation();
		// A restart after changes the engine did not see starts a new generation.
		this.database.close();
		this.app.insert(3);
		this.app.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		this.database = new ReplicatedDatabase(DatabaseOptions.defaults(this.dbPath), this.clock);
		this.database.open();
		Replica next = new Replica(this.database, this.client,
				ReplicaOptions.defaults("file").withRetention(Duration.ofHours(1), Duration.ofMinutes(1)), this.clock);
		this.app.insert(2);
		this.database.sync();
		next.sync();
		assertThat(this.client.generations()).hasSize(2);
		this.clock.advance(Duration.ofHours(2));
		next.enforceRetention();
		assertThat(this.client.generations()).doesNotContain(old).hasSize(1);
		assertThat(restore(RestoreOptions.latest(output("new-generation.db")))).isEqualTo(this.app.summary());
	}

	@Test
	void validationRestoresTheReplicaAndMatchesTheDatabase() throws Exception {
		for (int i = 0; i < 5; i++) {
			batch(10);
		}
		ValidationResult result = new ReplicaValidator(this.clock).validate(this.replica);
		assertThat(result.matched()).as(result.detail()).isTrue();
	}

	@Test
	void applicationCheckpointsWhileTheEngineRunsLoseNothing() throws Exception {
		batch(10);
		// FULL, RESTART and TRUNCATE wait for the engine's read transaction until the busy
		// timeout, then give up partway: keep that wait short.
		this.app.execute("PRAGMA busy_timeout=200");
		for (String mode : List.of("PASSIVE", "FULL", "RESTART", "TRUNCATE")) {
			this.app.insert(5);
			try (Statement s = this.app.connection().createStatement();
					ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
				rs.next();
			}
			this.app.insert(5);
			this.database.sync();
			this.replica.sync();
		}
		assertThat(Files.size(this.dir.resolve("app.db-wal"))).isPositive();
		assertThat(restore(RestoreOptions.latest(output("after-app-checkpoints.db")))).isEqualTo(this.app.summary());
	}

	@Test
	void cleanRestartContinuesTheGenerationWithoutANewSnapshot() throws Exception {
		batch(30);
		Pos before = this.replica.position().orElseThrow();
		this.app.close();
		this.database.close();
		this.app = new AppDatabase(this.dbPath);
		this.app.insert(7);
		this.database = new ReplicatedDatabase(DatabaseOptions.defaults(this.dbPath), this.clock);
		this.database.open();
		Replica again = new Replica(this.database, this.client, ReplicaOptions.defaults("file"), this.clock);
		again.sync();
		Pos after = again.position().orElseThrow();
		assertThat(after.generation()).isEqualTo(before.generation());
		assertThat(this.client.snapshots(after.generation())).hasSize(1);
		assertThat(restore(RestoreOptions.latest(output("after-restart.db")))).isEqualTo(this.app.summary());
	}

	@Test
	void outsideProcessOpeningAndClosingTheDatabaseKeepsTheLiveWal() throws Exception {
		batch(20);
		this.replica.snapshot();
		long walBefore = Files.size(this.dir.resolve("app.db-wal"));
		for (int i = 0; i < 3; i++) {
			assertThat(Cli.run("sqlite3", this.dbPath.toString(), "SELECT COUNT(*) FROM t"))
				.isEqualTo(Long.toString(this.app.lastSeq()));
		}
		assertThat(this.dir.resolve("app.db-wal")).exists();
		assertThat(Files.size(this.dir.resolve("app.db-wal"))).isGreaterThanOrEqualTo(walBefore);
		String generation = this.replica.position().orElseThrow().generation();
		batch(20);
		assertThat(this.replica.position().orElseThrow().generation()).isEqualTo(generation);
		assertThat(restore(RestoreOptions.latest(output("after-outside-reader.db")))).isEqualTo(this.app.summary());
	}

	@Test
	void databaseInAMissingDirectoryIsAClearError() {
		Path missing = this.dir.resolve("no-such-dir/app.db");
		ReplicatedDatabase db = new ReplicatedDatabase(DatabaseOptions.defaults(missing));
		assertThatExceptionOfType(NoSuchFileException.class).isThrownBy(db::open)
			.withMessageContaining(missing.getParent().toString())
			.withMessageContaining("does not exist");
	}

	@Test
	void replicaWithAFewIdleSyncsMakesNoWrites() throws Exception {
		batch(5);
		int segments = this.client.walSegments(this.replica.position().orElseThrow().generation()).size();
		for (int i = 0; i < 5; i++) {
			this.database.sync();
			this.replica.sync();
		}
		assertThat(this.client.walSegments(this.replica.position().orElseThrow().generation())).hasSize(segments);
	}

	/** Runs a command-line tool and returns its trimmed output. */
	static final class Cli {

		static String run(String... command) throws IOException, InterruptedException {
			Process process = CommandLineTools.start(new ProcessBuilder(command).redirectErrorStream(true));
			String out = new String(process.getInputStream().readAllBytes()).trim();
			assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), out).isZero();
			return out;
		}

	}

}
