package io.github.litestream.db;

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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.github.litestream.replica.Pos;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

/**
 * Capture behaviour of {@link ReplicatedDatabase} against real SQLite: what reaches the shadow
 * WAL, when indexes and generations change.
 */
class ReplicatedDatabaseTests {

	@TempDir
	Path dir;

	private Connection app;

	@AfterEach
	void closeApp() throws SQLException {
		if (this.app != null) {
			this.app.close();
		}
	}

	private DatabaseOptions options(int minPages, int maxPages) {
		return DatabaseOptions.defaults(this.dir.resolve("app.db"))
			.withCheckpoints(Duration.ofMinutes(1), minPages, maxPages);
	}

	private Connection app() throws SQLException {
		if (this.app == null) {
			this.app = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"));
			try (Statement s = this.app.createStatement()) {
				s.execute("PRAGMA journal_mode=WAL");
				s.execute("PRAGMA wal_autocheckpoint=0");
				s.execute("PRAGMA busy_timeout=5000");
				s.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)");
			}
		}
		return this.app;
	}

	private void insert(int count) throws SQLException {
		try (Statement s = app().createStatement()) {
			for (int i = 0; i < count; i++) {
				s.execute("INSERT INTO t (v) VALUES (hex(randomblob(100)))");
			}
		}
	}

	@Test
	void shadowWalIsAPrefixOfTheRealWal() throws Exception {
		app();
		try (ReplicatedDatabase db = new ReplicatedDatabase(options(1000, 10000))) {
			db.open();
			insert(20);
			db.sync();
			Pos pos = db.position().orElseThrow();
			byte[] real = Files.readAllBytes(this.dir.resolve("app.db-wal"));
			Path shadowFile = LocalState.directoryOf(db.path())
				.resolve("generations/" + pos.generation() + "/wal/" + Pos.hex(pos.index()) + ".wal");
			byte[] shadow = Files.readAllBytes(shadowFile);
			assertThat(shadow.length).isEqualTo((int) pos.offset());
			assertThat(Arrays.copyOf(real, shadow.length)).isEqualTo(shadow);
			assertThat(real.length).isEqualTo(shadow.length);
		}
	}

	@Test
	void openingAfterACleanShutdownKeepsOneDescriptorOnTheDatabaseFile() throws Exception {
		// A second descriptor, dropped unreferenced, is closed by the garbage collector, and
		// closing any descriptor on the file drops the JVM's SQLite locks on it: another process
		// that then closes the database last checkpoints and deletes the live WAL.
		Path file = this.dir.resolve("app.db");
		long withoutRecord;
		try (ReplicatedDatabase db = new ReplicatedDatabase(options(1000, 10000))) {
			app();
			long before = descriptorsOn(file);
			db.open();
			withoutRecord = descriptorsOn(file) - before;
			insert(5);
			db.sync();
			this.app.close();
			this.app = null;
		}
		assertThat(GenerationContinuation.recorded(file)).as("the clean-shutdown record").isPresent();
		app();
		try (ReplicatedDatabase db = new ReplicatedDatabase(options(1000, 10000))) {
			long before = descriptorsOn(file);
			db.open();
			assertThat(descriptorsOn(file) - before).as("descriptors the engine opened, with a record to check")
				.isEqualTo(withoutRecord);
		}
	}

	/** The descriptors this process has open on a file. */
	private static long descriptorsOn(Path file) throws Exception {
		Path target = file.toRealPath();
		try (java.util.stream.Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
			return descriptors.filter((descriptor) -> {
				try {
					return Files.readSymbolicLink(descriptor).equals(target);
				}
				catch (java.io.IOException ex) {
					return false;
				}
			}).count();
		}
	}

	@Test
	void checkpointsStartNewIndexes() throws Exception {
		app();
		try (ReplicatedDatabase db = new ReplicatedDatabase(options(4, 10000))) {
			db.open();
			Pos first = db.position().orElseThrow();
			for (int i = 0; i < 5; i++) {
				insert(10);
				db.sync();
			}
			Pos last = db.position().orElseThrow();
			assertThat(last.generation()).isEqualTo(first.generation());
			assertThat(last.index()).isGreaterThanOrEqualTo(first.index() + 4);
		}
	}

	@Test
	void crashKeepsTheGeneration() throws Exception {
		app();
		ReplicatedDatabase db = new ReplicatedDatabase(options(1000, 10000));
		db.open();
		insert(5);
		db.sync();
		Pos before = db.position().orElseThrow();
		// No close: as if the process died. A second engine instance takes over.
		try (ReplicatedDatabase again = new ReplicatedDatabase(options(1000, 10000))) {
			again.open();
			Pos after = again.position().orElseThrow();
			assertThat(after.generation()).isEqualTo(before.generation());
			assertThat(after.index()).isEqualTo(before.index());
			assertThat(after.offset()).isGreaterThanOrEqualTo(before.offset());
		}
	}

	@Test
	void aWalThatLostAPageBeforeItsEndInACrashStartsANewGeneration() throws Exception {
		app();
		ReplicatedDatabase db = new ReplicatedDatabase(options(1000, 10000));
		db.open();
		insert(30);
		db.sync();
		Pos before = db.position().orElseThrow();
		// No close: the machine lost power. Its WAL kept the header and the last frame, but not a
		// page in the middle (synchronous=NORMAL writes them back in any order).
		try (java.io.RandomAccessFile wal = new java.io.RandomAccessFile(this.dir.resolve("app.db-wal").toFile(), "rw")) {
			wal.seek(32 + 2L * (24 + 4096) + 24);
			wal.write(new byte[4096]);
		}
		try (ReplicatedDatabase again = new ReplicatedDatabase(options(1000, 10000))) {
			again.open();
			assertThat(again.position().orElseThrow().generation()).as("the shadow is not the WAL's prefix any more")
				.isNotEqualTo(before.generation());
		}
	}

	@Test
	void cleanShutdownContinuesTheGenerationAtTheNextIndex() throws Exception {
		app();
		Pos before;
		try (ReplicatedDatabase db = new ReplicatedDatabase(options(1000, 10000))) {
			db.open();
			insert(5);
			db.sync();
			this.app.close();
			this.app = null;
			before = db.position().orElseThrow();
		}
		assertThat(this.dir.resolve("app.db-wal")).doesNotExist();
		try (ReplicatedDatabase db = new ReplicatedDatabase(options(1000, 10000))) {
			db.open();
			Pos after = db.position().orElseThrow();
			assertThat(after.generation()).isEqualTo(before.generation());
			assertThat(after.index()).isEqualTo(before.index() + 1);
		}
	}

	@Test
	void changesWhileStoppedStartANewGeneration() throws Exception {
		app();
		Pos before;
		try (ReplicatedDatabase db = new ReplicatedDatabase(options(1000, 10000))) {
			db.open();
			insert(5);
			db.sync();
			this.app.close();
			this.app = null;
			before = db.position().orElseThrow();
		}
		insert(3);
		this.app.close();
		this.app = null;
		try (ReplicatedDatabase db = new ReplicatedDatabase(options(1000, 10000))) {
			db.open();
			assertThat(db.position().orElseThrow().generation()).isNotEqualTo(before.generation());
		}
	}

	@Test
	void truncateCheckpointWhileEngineIsDownStartsANewGeneration() throws Exception {
		app();
		ReplicatedDatabase db = new ReplicatedDatabase(options(1000, 10000));
		db.open();
		insert(5);
		db.sync();
		Pos before = db.position().orElseThrow();
		db.close();
		// close() may record a clean shutdown; the app writes and truncates afterwards.
		insert(5);
		try (Statement s = this.app.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
			rs.next();
		}
		try (ReplicatedDatabase again = new ReplicatedDatabase(options(1000, 10000))) {
			again.open();
			assertThat(again.position().orElseThrow().generation()).isNotEqualTo(before.generation());
		}
	}

	@Test
	void checkpointMovesPagesIntoTheDatabaseFileWithoutWaitingForTheWriteLock() throws Exception {
		app();
		DatabaseOptions options = options(4, 10000);
		options = new DatabaseOptions(options.path(), options.monitorInterval(), options.checkpointInterval(),
				options.minCheckpointPageCount(), options.maxCheckpointPageCount(), Duration.ofMillis(100));
		List<String> checkpointErrors = new CopyOnWriteArrayList<>();
		Path fileOnly = Files.createDirectories(this.dir.resolve("file-only")).resolve("copy.db");
		try (ReplicatedDatabase db = new ReplicatedDatabase(options)) {
			db.addListener(new DatabaseListener() {
				@Override
				public void onCheckpointError(CheckpointMode mode, Exception error) {
					checkpointErrors.add(mode + ": " + error.getMessage());
				}
			});
			db.open();
			insert(50);
			try (Statement s = app().createStatement()) {
				// The application is in the middle of a write transaction during the checkpoint.
				s.execute("BEGIN IMMEDIATE");
				s.execute("INSERT INTO t (v) VALUES ('not committed')");
				db.sync();
				// The database file alone, without its WAL, already holds every committed row.
				Files.copy(this.dir.resolve("app.db"), fileOnly);
				s.execute("ROLLBACK");
			}
			assertThat(checkpointErrors).as("the step that needs the write lock could not take it").isNotEmpty();
		}
		try (Connection copy = DriverManager.getConnection("jdbc:sqlite:" + fileOnly);
				Statement s = copy.createStatement();
				ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
			rs.next();
			assertThat(rs.getInt(1)).isEqualTo(50);
		}
	}

	@Test
	void restartCheckpointWaitsMomentsForAReaderThatEndsAndStartsTheNextIndex() throws Exception {
		app();
		try (ReplicatedDatabase db = new ReplicatedDatabase(options(4, 10000));
				Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"))) {
			db.open();
			insert(20);
			syncAtWrittenIndex(db);
			Pos before = db.position().orElseThrow();
			// The reader must end within the checkpoint's short wait; a slow scheduler may miss it.
			for (int attempt = 0; attempt < 5 && db.position().orElseThrow().index() == before.index(); attempt++) {
				beginRead(reader);
				insert(20);
				Thread engine = Thread.currentThread();
				AtomicReference<Throwable> readerFailure = new AtomicReference<>();
				AtomicBoolean checkpointReturned = new AtomicBoolean();
				Thread readerEnds = new Thread(() -> {
					try {
						// The engine's busy handler parks only while SQLite waits for a lock: here,
						// the RESTART checkpoint waiting for this reader. A checkpoint that gave up
						// first (the scheduler missed its wait) is tried again by the loop.
						await().pollDelay(Duration.ZERO)
							.pollInterval(Duration.ofMillis(1))
							.until(() -> checkpointReturned.get() || engine.getState() == Thread.State.TIMED_WAITING);
						reader.createStatement().execute("COMMIT");
					}
					catch (Throwable ex) {
						readerFailure.set(ex);
					}
				});
				readerEnds.start();
				// The PASSIVE step cannot finish; RESTART waits moments for the reader.
				try {
					db.checkpoint(CheckpointMode.RESTART);
				}
				finally {
					checkpointReturned.set(true);
				}
				readerEnds.join();
				assertThat(readerFailure.get()).as("the reader ended").isNull();
			}
			Pos after = db.position().orElseThrow();
			assertThat(after.generation()).isEqualTo(before.generation());
			assertThat(after.index()).as("the engine restarted the WAL itself").isEqualTo(before.index() + 1);
		}
	}

	@Test
	void restartCheckpointGivesUpOnALongReaderAndRestartsOnceItEnds() throws Exception {
		app();
		List<String> blocked = new CopyOnWriteArrayList<>();
		try (ReplicatedDatabase db = new ReplicatedDatabase(options(4, 10000));
				Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"))) {
			db.addListener(new DatabaseListener() {
				@Override
				public void onCheckpointBlocked(CheckpointMode mode) {
					blocked.add(mode.name());
				}
			});
			db.open();
			insert(20);
			syncAtWrittenIndex(db);
			Pos before = db.position().orElseThrow();
			beginRead(reader);
			insert(20);
			db.checkpoint(CheckpointMode.RESTART);
			assertThat(db.position().orElseThrow().index()).as("the reader pins the WAL").isEqualTo(before.index());
			assertThat(blocked).containsExactly("RESTART");
			PinnedWal pinned = db.pinnedWal().orElseThrow();
			assertThat(pinned.walFrames()).isPositive();
			insert(20);
			db.checkpoint(CheckpointMode.RESTART);
			assertThat(db.pinnedWal()).hasValueSatisfying((again) -> {
				assertThat(again.since()).as("pinned since the first attempt").isEqualTo(pinned.since());
				assertThat(again.walFrames()).isGreaterThan(pinned.walFrames());
			});
			reader.createStatement().execute("COMMIT");
			db.checkpoint(CheckpointMode.RESTART);
			Pos after = db.position().orElseThrow();
			assertThat(after.generation()).isEqualTo(before.generation());
			assertThat(after.index()).as("the engine restarted the WAL itself").isEqualTo(before.index() + 1);
			assertThat(db.pinnedWal()).isEmpty();
			assertThat(blocked).hasSize(2);
		}
	}

	@Test
	void validationCheckpointDoesNotWaitForAReaderWhileTheApplicationWrites() throws Exception {
		app();
		try (ReplicatedDatabase db = new ReplicatedDatabase(options(4, 10000));
				Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"));
				Connection writer = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"))) {
			db.open();
			insert(20);
			syncAtWrittenIndex(db);
			beginRead(reader);
			insert(20);
			try (Statement s = writer.createStatement()) {
				s.execute("PRAGMA busy_timeout=5000");
			}
			AtomicBoolean validating = new AtomicBoolean(true);
			AtomicLong slowestCommit = new AtomicLong();
			AtomicReference<Throwable> writeFailure = new AtomicReference<>();
			Thread application = new Thread(() -> {
				try (Statement s = writer.createStatement()) {
					while (validating.get()) {
						long started = System.nanoTime();
						s.execute("INSERT INTO t (v) VALUES ('during validation')");
						slowestCommit.accumulateAndGet(System.nanoTime() - started, Math::max);
					}
				}
				catch (Throwable ex) {
					writeFailure.set(ex);
				}
			});
			application.start();
			try {
				assertThatIOException().isThrownBy(db::checksumAtNewIndex).withMessageContaining("will try again");
			}
			finally {
				validating.set(false);
				application.join();
			}
			assertThat(writeFailure.get()).isNull();
			assertThat(Duration.ofNanos(slowestCommit.get())).as("the slowest application commit")
				.isLessThan(ReplicatedDatabase.LOCK_WAIT_BUDGET);
			reader.createStatement().execute("COMMIT");
		}
	}

	/**
	 * Syncs, checkpointing if due, and then lets one application write restart the emptied WAL
	 * (a checkpoint leaves that to the application), so that a reader begun next pins frames of
	 * the current index rather than the database file.
	 */
	private void syncAtWrittenIndex(ReplicatedDatabase db) throws Exception {
		db.sync();
		insert(1);
		db.sync();
	}

	/** Begins a read transaction that pins the WAL as it is now: later frames cannot be checkpointed. */
	private static void beginRead(Connection reader) throws SQLException {
		try (Statement s = reader.createStatement()) {
			s.execute("BEGIN");
			try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
				rs.next();
			}
		}
	}


	@Test
	void closingWhileASnapshotReadsTheFileLeavesTheFileAlone() throws Exception {
		ReplicatedDatabase db = new ReplicatedDatabase(options(100000, 100000));
		db.open();
		insert(500);
		db.sync();
		this.app.close();
		this.app = null;
		// The committed pages are in the WAL only: a checkpoint at close would grow the file.
		long sizeBefore = Files.size(this.dir.resolve("app.db"));
		java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
		java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
		Thread snapshot = new Thread(() -> {
			try {
				db.snapshot((pos, in) -> {
					reading.countDown();
					try {
						release.await();
					}
					catch (InterruptedException ex) {
						throw new java.io.InterruptedIOException();
					}
					return in.readAllBytes().length;
				});
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		snapshot.start();
		reading.await();
		db.close();
		assertThat(Files.size(this.dir.resolve("app.db"))).as("the file the snapshot reads did not change")
			.isEqualTo(sizeBefore);
		release.countDown();
		snapshot.join();
	}

}
