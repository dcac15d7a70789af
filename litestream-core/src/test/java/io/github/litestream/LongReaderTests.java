package io.github.litestream;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
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
 * A read transaction that stays open for seconds, in this JVM or in another process, while
 * the application commits as fast as it can and the WAL passes {@code max-checkpoint-page-count}:
 * SQLite's RESTART checkpoint would hold the write lock while it waits for that reader, and the
 * application's writer would wait behind it until its busy timeout ran out (Litestream issue
 * 724). The engine's checkpoints give up instead and restart the WAL once the reader is gone.
 */
class LongReaderTests {

	/**
	 * A commit stuck behind a checkpoint that waits for the reader would wait this long and
	 * then fail; the bound is logical, not a speed target (a loaded machine stretches commits).
	 */
	private static final Duration APPLICATION_BUSY_TIMEOUT = Duration.ofSeconds(5);

	/** Longer than the application's busy timeout (5 s). */
	private static final Duration READ_TRANSACTION = Duration.ofSeconds(6);

	private static final int MAX_CHECKPOINT_PAGES = 64;

	private static final int PAGE_SIZE = 4096;

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
					.withCheckpoints(Duration.ofSeconds(1), 16, MAX_CHECKPOINT_PAGES),
				List.of(new ReplicationTarget(new FileReplicaClient(this.replicaRoot),
						ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)))));
		// Fast, but not so fast that seconds of pinned WAL fill the disk.
		this.writer = new AppWriter(new AppDatabase(this.dbPath), Duration.ofNanos(200_000));
		this.litestream.start();
		this.writer.start();
	}

	@AfterEach
	void stop() throws Exception {
		this.writer.stop();
		this.writer.app.close();
		this.litestream.close();
	}

	@Test
	void readTransactionInThisJvmNeitherFailsNorStallsTheApplication() throws Exception {
		String generation = position().generation();
		try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.dbPath);
				Statement statement = reader.createStatement()) {
			long pinnedIndex = pinWal(() -> {
				statement.execute("BEGIN");
				try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM t")) {
					rs.next();
				}
			}, () -> statement.execute("COMMIT"));
			holdWhileTheApplicationWrites(pinnedIndex);
			statement.execute("COMMIT");
			assertTheEngineRestartsTheWal(generation, pinnedIndex);
		}
		assertNothingLost();
	}

	@Test
	void readTransactionOfAnotherProcessNeitherFailsNorStallsTheApplication() throws Exception {
		String generation = position().generation();
		Process sqlite3 = CommandLineTools
			.start(new ProcessBuilder("sqlite3", this.dbPath.toString()).redirectErrorStream(true));
		long pinnedIndex;
		try (Writer in = new OutputStreamWriter(sqlite3.getOutputStream(), StandardCharsets.UTF_8);
				BufferedReader out = new BufferedReader(
						new InputStreamReader(sqlite3.getInputStream(), StandardCharsets.UTF_8))) {
			in.write(".timeout 5000\n");
			pinnedIndex = pinWal(() -> {
				in.write("BEGIN; SELECT count(*) FROM t;\n");
				in.flush();
				// The count arrives once the read transaction has begun.
				assertThat(out.readLine()).matches("\\d+");
			}, () -> {
				in.write("COMMIT;\n");
				in.flush();
			});
			holdWhileTheApplicationWrites(pinnedIndex);
			in.write("COMMIT;\n");
			// Closing its input ends the process.
		}
		assertThat(sqlite3.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(sqlite3.exitValue()).isZero();
		assertTheEngineRestartsTheWal(generation, pinnedIndex);
		assertNothingLost();
	}

	/**
	 * Begins the read transaction until it pins the WAL: one that begins just when every frame is
	 * in the database file reads the file only and pins nothing (checkpoints then keep restarting
	 * the WAL, which the test sees and tries again).
	 * @return the WAL index the reader pins
	 */
	private long pinWal(SqlAction begin, SqlAction end) throws Exception {
		for (int attempt = 0; attempt < 5; attempt++) {
			long index = position().index();
			begin.run();
			await().atMost(Duration.ofMinutes(1))
				.until(() -> position().index() != index || walPages() > 4 * MAX_CHECKPOINT_PAGES
						|| this.writer.stalledOrFailed());
			if (position().index() == index) {
				return index;
			}
			end.run();
		}
		throw new AssertionError("The reader never pinned the WAL");
	}

	/** The reader stays while the application commits; the engine syncs and checkpoints meanwhile. */
	private void holdWhileTheApplicationWrites(long pinnedIndex) {
		long began = System.nanoTime();
		await().atMost(Duration.ofMinutes(1))
			.until(() -> this.writer.error.get() != null
					|| System.nanoTime() - began >= READ_TRANSACTION.toNanos());
		assertThat(this.writer.error.get()).as("the application's writes did not fail").isNull();
		assertThat(Duration.ofNanos(this.writer.slowestCommitNanos.get())).as("no commit waited out the reader")
			.isLessThan(APPLICATION_BUSY_TIMEOUT);
		assertThat(position().index()).as("the reader pins the WAL index").isEqualTo(pinnedIndex);
		assertThat(walPages()).as("the WAL grew past max-checkpoint-page-count")
			.isGreaterThan(4 * MAX_CHECKPOINT_PAGES);
		assertThat(this.database.pinnedWal()).as("the engine says a reader pins the WAL").hasValueSatisfying(
				(pinned) -> assertThat(pinned.walFrames()).isGreaterThan(4 * MAX_CHECKPOINT_PAGES));
	}

	private void assertTheEngineRestartsTheWal(String generation, long pinnedIndex) {
		await().atMost(Duration.ofMinutes(1)).until(() -> position().index() > pinnedIndex);
		assertThat(position().generation()).as("continuity was never lost").isEqualTo(generation);
		assertThat(this.database.pinnedWal()).isEmpty();
	}

	/** Stops writing, flushes, and checks that a restore holds every committed row. */
	private void assertNothingLost() throws Exception {
		this.writer.stop();
		assertThat(this.writer.error.get()).as("the application saw no error").isNull();
		assertThat(Duration.ofNanos(this.writer.slowestCommitNanos.get())).as("no commit waited out the reader")
			.isLessThan(APPLICATION_BUSY_TIMEOUT);
		await().atMost(Duration.ofMinutes(1)).until(() -> replica().position().equals(this.database.position()));
		assertThat(this.litestream.stop(Duration.ofSeconds(30))).isTrue();
		Path out = this.dir.resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(this.replicaRoot), RestoreOptions.latest(out));
		Summary restored = AppDatabase.summarize(out);
		assertThat(restored.integrity()).isEqualTo("ok");
		assertThat(restored).isEqualTo(this.writer.app.summary());
		assertThat(restored.isGapFreePrefix()).isTrue();
	}

	private Pos position() {
		return this.database.position().orElseThrow();
	}

	private long walPages() {
		return this.database.walSize() / (PAGE_SIZE + 24);
	}

	private Replica replica() {
		return this.litestream.replicas(this.database).get(0);
	}

	@FunctionalInterface
	private interface SqlAction {

		void run() throws Exception;

	}

}
