package io.github.litestream.db;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.litestream.replica.Pos;
import io.github.litestream.sqlite.SqliteFiles;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a WAL that another connection restarted continues the generation (see
 * {@link RestartFence}): only while the engine's read transaction has held the emptied WAL since a
 * checkpoint proved every frame copied and in the database file. Otherwise, even a restart that
 * looks like SQLite's single one (first salt plus one) starts a new generation.
 */
class RestartFenceTests {

	@TempDir
	Path dir;

	private EngineParts parts;

	private final List<String> generations = new CopyOnWriteArrayList<>();

	private final List<String> events = new CopyOnWriteArrayList<>();

	@AfterEach
	void close() throws Exception {
		if (this.parts != null) {
			this.parts.close();
		}
	}

	@Test
	void aWriteTransactionLongerThanTheLockWaitRestartsTheWalWithoutANewGeneration() throws Exception {
		// The checkpoint that restarts the WAL at once (for a snapshot or a validation) waits for
		// the write lock a second time, at most the busy timeout. An application write transaction
		// that holds it longer, and restarts the emptied WAL when it commits, used to cost a new
		// generation and a full snapshot.
		open(Duration.ofMillis(300));
		this.parts.insert(5);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		Path oldShadow = this.parts.tracker.shadow().file();
		try (Connection app = appConnection(); Statement s = app.createStatement()) {
			this.parts.checkpointer.runBetweenLocks(() -> {
				execute(s, "BEGIN IMMEDIATE");
				execute(s, "INSERT INTO t (v) VALUES ('committed after the checkpoint gave up')");
			});

			this.parts.checkpointer.checkpoint(CheckpointMode.PASSIVE);

			assertThat(this.events).as("the second lock was not had in time").containsExactly("error PASSIVE");
			s.execute("COMMIT");
		}
		this.parts.tracker.copyWal();

		assertThat(this.generations).as("continuity was kept").isEmpty();
		Pos after = this.parts.tracker.position();
		assertThat(after.index()).as("the application's restart began the next index").isEqualTo(before.index() + 1);
		assertThat(Files.size(oldShadow)).as("the old index is complete").isEqualTo(before.offset());
		assertThat(after.offset()).as("the application's commit is in the new index").isGreaterThan(WalHeader.SIZE);
		assertShadowIsPrefixOfWal();
	}

	@Test
	void aRestartAfterTheFenceLapsedStartsANewGenerationEvenWithTheNextSalt() throws Exception {
		// Once the engine's read transaction ended, frames appended to the old WAL after its last
		// copy can be moved into the database file and overwritten by a restart: the first salt
		// is still the old one plus one, but the old index is incomplete.
		open(Duration.ofSeconds(5));
		this.parts.insert(EngineParts.MIN_PAGES + 5);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		WalHeader oldHeader = this.parts.tracker.shadow().header();
		try (Connection early = appConnection(); Connection shell = appConnection();
				Statement s = shell.createStatement()) {
			// Began before the checkpoint: its read mark keeps the next write on the old WAL.
			EngineParts.beginRead(early);
			this.parts.checkpointer.checkpointIfDue();
			this.parts.insert(1);
			// The engine's read transaction ends (as a failed step may leave it): the fence lapses.
			this.parts.connections.releaseReadLock();
			early.createStatement().execute("COMMIT");
			try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
				rs.next();
				assertThat(rs.getInt(3)).as("the uncopied frame reached the database file").isEqualTo(rs.getInt(2));
			}
			s.execute("INSERT INTO t (v) VALUES ('restarts the WAL over the uncopied frame')");
		}
		// As the next capture does.
		this.parts.connections.acquireReadLock();
		this.parts.tracker.copyWal();

		try (FileChannel wal = FileChannel.open(this.parts.tracker.walPath())) {
			assertThat(WalScanner.readHeader(wal).salt1()).as("one restart").isEqualTo(oldHeader.salt1() + 1);
		}
		assertThat(this.generations).as("continuity could not be proven").hasSize(1);
		assertThat(this.parts.tracker.position().generation()).isNotEqualTo(before.generation());
		assertShadowIsPrefixOfWal();
	}

	@Test
	void aRestartJustBeforeTheWriteLockIsFollowedBeforeTheFenceIsReleased() throws Exception {
		// The application restarts the fenced WAL after the checkpoint's last copy and before its
		// write lock. Releasing the engine's read transaction there, with the restart not
		// followed, let the checkpoint move the new WAL's frames into the database file unseen
		// and the next write restart the WAL over them: a new generation (FaultTests, now and then).
		open(Duration.ofSeconds(5));
		this.parts.insert(EngineParts.MIN_PAGES + 5);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		this.parts.checkpointer.checkpointIfDue();
		assertThat(this.parts.tracker.restartAwaited()).isTrue();
		this.parts.checkpointer.runBeforeWriteLock(() -> insert(3));
		this.parts.checkpointer.runBetweenLocks(() -> insert(1));

		this.parts.checkpointer.checkpoint(CheckpointMode.PASSIVE);
		this.parts.tracker.copyWal();

		assertThat(this.generations).as("continuity was kept").isEmpty();
		Pos after = this.parts.tracker.position();
		assertThat(after.index()).as("the application's restarts began two indexes").isEqualTo(before.index() + 2);
		Path restarted = this.parts.localState.shadowWalPath(before.generation(), before.index() + 1);
		assertThat(Files.size(restarted)).as("the first restart's rows are in their index")
			.isGreaterThan(WalHeader.SIZE + 2L * this.parts.tracker.shadow().header().frameSize());
		assertShadowIsPrefixOfWal();
	}

	@Test
	void aWalLeftFullyCheckpointedIsFencedAtOpen() throws Exception {
		// The application's connection outlives the engine's close: the final checkpoint moved
		// every frame into the database file, and SQLite keeps the WAL for that connection. The
		// application's first write after the next open restarts it.
		Path db = this.dir.resolve("app.db");
		DatabaseOptions options = DatabaseOptions.defaults(db).withCheckpoints(Duration.ofMinutes(1), 1000, 10000);
		try (Connection app = appConnection(db); Statement s = app.createStatement()) {
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
			Pos before;
			try (ReplicatedDatabase database = new ReplicatedDatabase(options)) {
				database.open();
				s.execute("INSERT INTO t (v) VALUES ('before the close')");
				database.sync();
				before = database.position().orElseThrow();
			}
			WalHeader left = walHeader(db);
			try (ReplicatedDatabase database = new ReplicatedDatabase(options)) {
				database.addListener(recordGenerations());
				database.open();
				assertThat(database.position()).as("the WAL still holds the index").contains(before);
				s.execute("INSERT INTO t (v) VALUES ('restarts the WAL')");
				database.sync();

				assertThat(walHeader(db).salt1()).as("the application's write restarted the WAL")
					.isEqualTo(left.salt1() + 1);
				assertThat(this.generations).as("continuity was kept").isEmpty();
				Pos after = database.position().orElseThrow();
				assertThat(after.generation()).isEqualTo(before.generation());
				assertThat(after.index()).as("the restart began the next index").isEqualTo(before.index() + 1);
				LocalState state = new LocalState(database.path());
				assertThat(Files.size(state.shadowWalPath(before.generation(), before.index())))
					.as("the old index is complete").isEqualTo(before.offset());
				byte[] shadow = Files.readAllBytes(state.shadowWalPath(after.generation(), after.index()));
				assertThat(Arrays.copyOf(Files.readAllBytes(SqliteFiles.walOf(db)), shadow.length)).isEqualTo(shadow);
			}
		}
	}

	@Test
	void aWalWithFramesTheDatabaseFileLacksIsNotFencedAtOpen() throws Exception {
		// The usual start: the engine's read transaction holds a read mark at the WAL's end, so no
		// write can restart the WAL while it lasts, even once a checkpoint moved every frame. A fence
		// set there too kept the due checkpoint from running, and the application's writes went on
		// appending to the old index (the health indicator then never saw a failing copy).
		Path db = this.dir.resolve("app.db");
		DatabaseOptions options = DatabaseOptions.defaults(db).withCheckpoints(Duration.ofMinutes(1), 4, 10000);
		try (Connection app = appConnection(db); Statement s = app.createStatement()) {
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
			for (int i = 0; i < 5; i++) {
				s.execute("INSERT INTO t (v) VALUES ('in the WAL only')");
			}
			try (ReplicatedDatabase database = new ReplicatedDatabase(options)) {
				database.addListener(recordGenerations());
				database.addListener(new DatabaseListener() {
					@Override
					public void onCheckpoint(CheckpointMode mode, Duration duration) {
						RestartFenceTests.this.events.add("checkpoint " + mode);
					}
				});
				database.open();
				Pos before = database.position().orElseThrow();
				database.sync();

				assertThat(this.events).as("the due checkpoint ran").containsExactly("checkpoint PASSIVE");
				s.execute("INSERT INTO t (v) VALUES ('restarts the WAL the checkpoint emptied')");
				database.sync();
				assertThat(this.generations).as("only the first generation").hasSize(1);
				Pos after = database.position().orElseThrow();
				assertThat(after.generation()).isEqualTo(before.generation());
				assertThat(after.index()).as("the restart began the next index").isEqualTo(before.index() + 1);
			}
		}
	}

	private void insert(int rows) {
		try {
			this.parts.insert(rows);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void open(Duration busyTimeout) throws Exception {
		this.parts = new EngineParts(this.dir, busyTimeout);
		this.parts.listeners.add(recordGenerations());
		this.parts.listeners.add(new DatabaseListener() {

			@Override
			public void onCheckpoint(CheckpointMode mode, Duration duration) {
				RestartFenceTests.this.events.add("checkpoint " + mode);
			}

			@Override
			public void onCheckpointError(CheckpointMode mode, Exception error) {
				RestartFenceTests.this.events.add("error " + mode);
			}
		});
	}

	private Connection appConnection() throws SQLException {
		return appConnection(this.parts.db);
	}

	private static Connection appConnection(Path db) throws SQLException {
		Connection app = DriverManager.getConnection("jdbc:sqlite:" + db);
		try (Statement s = app.createStatement()) {
			s.execute("PRAGMA busy_timeout=5000");
			s.execute("PRAGMA wal_autocheckpoint=0");
		}
		return app;
	}

	private DatabaseListener recordGenerations() {
		return new DatabaseListener() {
			@Override
			public void onGeneration(String generation, String reason) {
				RestartFenceTests.this.generations.add(reason);
			}
		};
	}

	private static WalHeader walHeader(Path db) throws Exception {
		try (FileChannel wal = FileChannel.open(SqliteFiles.walOf(db))) {
			return WalScanner.readHeader(wal);
		}
	}

	private static void execute(Statement statement, String sql) {
		try {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void assertShadowIsPrefixOfWal() throws Exception {
		byte[] shadow = Files.readAllBytes(this.parts.tracker.shadow().file());
		byte[] real = Files.readAllBytes(this.parts.tracker.walPath());
		assertThat(shadow.length).isEqualTo((int) this.parts.tracker.position().offset());
		assertThat(Arrays.copyOf(real, shadow.length)).isEqualTo(shadow);
	}

}
