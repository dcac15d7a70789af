package io.github.litestream.db;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.replica.Pos;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The steps of {@link Checkpointer} on real SQLite, without the façade: what reaches the database
 * file, when the WAL restarts and a new index begins, and what readers, an application's write
 * transaction and a running snapshot change about that.
 */
class CheckpointerTests {

	@TempDir
	Path dir;

	private EngineParts parts;

	private final CheckpointEvents events = new CheckpointEvents();

	@BeforeEach
	void open() throws Exception {
		this.parts = new EngineParts(this.dir);
		this.parts.listeners.add(this.events);
	}

	@AfterEach
	void close() throws Exception {
		this.parts.close();
	}

	@Test
	void checkpointMovesEveryFrameIntoTheDatabaseFileAndStartsTheNextIndex() throws Exception {
		this.parts.insert(30);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		Path oldShadow = this.parts.tracker.shadow().file();

		this.parts.checkpointer.checkpoint(CheckpointMode.PASSIVE);

		Pos after = this.parts.tracker.position();
		assertThat(after.generation()).isEqualTo(before.generation());
		assertThat(after.index()).isEqualTo(before.index() + 1);
		assertThat(Files.size(oldShadow)).as("the old index is complete").isEqualTo(before.offset());
		assertThat(this.parts.rowsInDatabaseFile(this.dir.resolve("scratch"))).isEqualTo(30);
		assertThat(this.events).containsExactly("checkpoint PASSIVE");
		assertThat(this.parts.policy.lastCheckpointAt()).isNotNull();
		assertThat(this.parts.policy.mayWaitForReaders()).as("no reader was waited for").isTrue();
		// The next index is a prefix of the restarted WAL.
		this.parts.insert(5);
		this.parts.tracker.copyWal();
		assertShadowIsPrefixOfWal();
		assertThat(this.parts.tracker.position().generation()).isEqualTo(before.generation());
	}

	@Test
	void checkpointsUnderASteadyWriterStartNewIndexesAndEveryIndexIsAWholeWal() throws Exception {
		// An application committing in a tight loop writes frames during every step: between the
		// backfill and the lock, and between the lock's release and the copy that follows it
		// (its next write may restart the WAL there). Either way the old index must end up
		// complete in its shadow WAL and the generation must go on.
		AtomicBoolean writing = new AtomicBoolean(true);
		AtomicLong committed = new AtomicLong();
		Thread writer = new Thread(() -> {
			try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db);
					Statement s = app.createStatement()) {
				s.execute("PRAGMA busy_timeout=5000");
				s.execute("PRAGMA wal_autocheckpoint=0");
				while (writing.get()) {
					s.execute("INSERT INTO t (v) VALUES (hex(randomblob(100)))");
					committed.incrementAndGet();
				}
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		this.parts.tracker.copyWal();
		String generation = this.parts.tracker.position().generation();
		long firstIndex = this.parts.tracker.position().index();
		writer.start();
		try {
			for (int i = 0; i < 20; i++) {
				this.parts.tracker.copyWal();
				this.parts.checkpointer.checkpoint(CheckpointMode.PASSIVE);
			}
		}
		finally {
			writing.set(false);
			writer.join();
		}
		this.parts.tracker.copyWal();

		Pos end = this.parts.tracker.position();
		assertThat(committed.get()).isPositive();
		assertThat(end.generation()).as("continuity was never lost").isEqualTo(generation);
		assertThat(end.index()).as("checkpoints restarted the WAL under the writer").isGreaterThan(firstIndex);
		assertThat(this.events).doesNotContain("error PASSIVE");
		for (long index = firstIndex; index < end.index(); index++) {
			Path shadow = this.parts.localState.shadowWalPath(generation, index);
			try (FileChannel in = FileChannel.open(shadow)) {
				WalHeader header = WalScanner.readHeader(in);
				assertThat(WalScanner.scan(in, header, WalHeader.SIZE, header.checksum()).end())
					.as("index %d holds only whole, checksum-valid transactions", index)
					.isEqualTo(in.size());
			}
		}
		assertShadowIsPrefixOfWal();
	}

	@Test
	void anApplicationWriteThatRestartsTheWalBetweenTheLocksNeitherBreaksNorLosesTheIndex() throws Exception {
		// Between step (2)'s release of the write lock and step (4) an application write may
		// restart the emptied WAL and overwrite more of it than the old index held (a busy
		// writer while the engine's thread waits for a core). The engine must keep the generation.
		this.parts.insert(5);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		Path oldShadow = this.parts.tracker.shadow().file();
		try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db);
				Statement s = app.createStatement()) {
			s.execute("PRAGMA busy_timeout=5000");
			s.execute("PRAGMA wal_autocheckpoint=0");
			this.parts.checkpointer.runBetweenLocks(() -> execute(s,
					"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
						+ "INSERT INTO t (v) SELECT hex(randomblob(1000)) FROM n"));

			this.parts.checkpointer.checkpoint(CheckpointMode.PASSIVE);
		}

		Pos after = this.parts.tracker.position();
		assertThat(after.generation()).as("continuity was kept").isEqualTo(before.generation());
		assertThat(after.index()).isEqualTo(before.index() + 1);
		assertThat(Files.size(oldShadow)).as("the old index is complete").isEqualTo(before.offset());
		assertThat(after.offset()).as("the application's write begins the new index")
			.isGreaterThan(Files.size(oldShadow));
		assertShadowIsPrefixOfWal();
		assertThat(this.events).containsExactly("checkpoint PASSIVE");
	}

	@Test
	void noConnectionCanCheckpointFramesWrittenBetweenTheLocksSoNoneIsLost() throws Exception {
		// What lets the engine trust such a restart: a connection whose read transaction began
		// before step (2) can still append to the old WAL after it, and a checkpoint by another
		// connection (a sqlite3 shell, say) would then move those frames into the database file
		// and let the WAL restart over them before the engine copied them. The engine's read
		// transaction, taken again on the emptied WAL under the lock, keeps every checkpoint out.
		this.parts.insert(5);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		int[] foreignCheckpoint = new int[3];
		try (Connection early = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db);
				Statement e = early.createStatement();
				Connection shell = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db);
				Statement s = shell.createStatement()) {
			e.execute("PRAGMA busy_timeout=5000");
			s.execute("PRAGMA busy_timeout=5000");
			EngineParts.beginRead(early);
			this.parts.checkpointer.runBetweenLocks(() -> {
				execute(e, "INSERT INTO t (v) VALUES ('appended to the old WAL')");
				execute(e, "COMMIT");
				try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
					rs.next();
					for (int i = 0; i < 3; i++) {
						foreignCheckpoint[i] = rs.getInt(i + 1);
					}
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
				execute(s, "INSERT INTO t (v) VALUES ('would restart a truncated WAL')");
			});

			this.parts.checkpointer.checkpoint(CheckpointMode.PASSIVE);
		}

		assertThat(foreignCheckpoint[0]).as("the other connection's checkpoint was kept out (busy)").isEqualTo(1);
		assertThat(foreignCheckpoint[2]).as("frames it moved into the database file").isLessThan(foreignCheckpoint[1]);
		Pos after = this.parts.tracker.position();
		assertThat(after.generation()).as("continuity was kept").isEqualTo(before.generation());
		assertThat(after.index()).as("the WAL could not restart: the later frames are not checkpointed")
			.isEqualTo(before.index());
		assertShadowIsPrefixOfWal();
		try (FileChannel wal = FileChannel.open(this.parts.tracker.walPath())) {
			WalHeader header = WalScanner.readHeader(wal);
			assertThat(this.parts.tracker.position().offset()).as("both later transactions are in the index")
				.isEqualTo(WalScanner.scan(wal, header, WalHeader.SIZE, header.checksum()).end());
		}
	}

	@Test
	void framesCommittedBetweenTheLocksArePublishedBeforeAnyoneCanMoveThemIntoTheFile() throws Exception {
		// A snapshot pairs the database file with the published position: once the engine's read
		// transaction is taken again at the WAL's end, a checkpoint by another connection may move
		// every frame up to there into the file, so the position must be there too.
		try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db);
				Connection shell = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db);
				Statement s = shell.createStatement()) {
			this.parts.insert(5);
			EngineParts.beginRead(reader);
			this.parts.insert(5);
			this.parts.tracker.copyWal();
			this.parts.checkpointer.runBetweenLocks(() -> {
				try {
					this.parts.insert(3);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			this.parts.checkpointer.checkpoint(CheckpointMode.PASSIVE);
			reader.createStatement().execute("COMMIT");

			Pos published = this.parts.tracker.position();
			int frameSize = this.parts.tracker.shadow().header().frameSize();
			try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
				rs.next();
				assertThat(rs.getInt(3)).as("frames another connection moved into the file, against the position %s",
						published)
					.isLessThanOrEqualTo((int) ((published.offset() - WalHeader.SIZE) / frameSize));
			}
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

	@Test
	void inPlaceCheckpointKeepsTheWalAndTheIndexAndNoLaterWriteRestartsIt() throws Exception {
		this.parts.insert(30);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		byte[] header = walHeader();

		this.parts.checkpointer.checkpointInPlace();

		assertThat(this.parts.tracker.position()).isEqualTo(before);
		assertThat(walHeader()).as("the WAL did not restart").isEqualTo(header);
		assertThat(this.parts.rowsInDatabaseFile(this.dir.resolve("scratch"))).isEqualTo(30);
		assertThat(this.events).containsExactly("checkpoint PASSIVE");
		// Every frame is in the database file, yet the engine's read mark keeps the next
		// application write from restarting the WAL behind its back.
		this.parts.insert(1);
		this.parts.tracker.copyWal();
		Pos after = this.parts.tracker.position();
		assertThat(after.generation()).isEqualTo(before.generation());
		assertThat(after.index()).isEqualTo(before.index());
		assertThat(after.offset()).isGreaterThan(before.offset());
		assertShadowIsPrefixOfWal();
	}

	@Test
	void aReaderKeepsTheWalFromRestartingAndOnlyNonPassiveModesWaitAndReport() throws Exception {
		try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db)) {
			this.parts.insert(10);
			EngineParts.beginRead(reader);
			this.parts.insert(10);
			this.parts.tracker.copyWal();
			Pos before = this.parts.tracker.position();

			this.parts.checkpointer.checkpoint(CheckpointMode.PASSIVE);
			assertThat(this.parts.tracker.position().index()).isEqualTo(before.index());
			assertThat(this.events).containsExactly("checkpoint PASSIVE");
			assertThat(this.parts.checkpointer.pinnedWal(this.parts.tracker.position())).isEmpty();
			assertThat(this.parts.policy.mayWaitForReaders()).as("PASSIVE does not wait for readers").isTrue();
			this.parts.nanos.addAndGet(CheckpointPolicy.READERS_WAIT_INTERVAL.toNanos());

			this.parts.checkpointer.checkpoint(CheckpointMode.RESTART);
			assertThat(this.parts.tracker.position().index()).isEqualTo(before.index());
			assertThat(this.events).endsWith("blocked RESTART", "checkpoint RESTART");
			assertThat(this.parts.policy.mayWaitForReaders()).as("RESTART used this second's wait").isFalse();
			PinnedWal pinned = this.parts.checkpointer.pinnedWal(this.parts.tracker.position()).orElseThrow();
			this.parts.insert(5);
			this.parts.tracker.copyWal();
			this.parts.checkpointer.checkpoint(CheckpointMode.RESTART);
			PinnedWal again = this.parts.checkpointer.pinnedWal(this.parts.tracker.position()).orElseThrow();
			assertThat(again.since()).as("pinned since the first attempt").isEqualTo(pinned.since());
			assertThat(again.walFrames()).isGreaterThan(pinned.walFrames());

			reader.createStatement().execute("COMMIT");
			this.parts.checkpointer.checkpoint(CheckpointMode.RESTART);
			Pos after = this.parts.tracker.position();
			assertThat(after.index()).isEqualTo(before.index() + 1);
			assertThat(this.parts.checkpointer.pinnedWal(after)).isEmpty();
			assertThat(this.parts.rowsInDatabaseFile(this.dir.resolve("scratch"))).isEqualTo(25);
		}
	}

	@Test
	void aBacklogAReaderPinsIsLeftToTheLockFreeRoundsNotTheWriteLock() throws Exception {
		// Under the write lock the backlog would either still be pinned, or, had the reader
		// ended, be written and synced while every application writer waits.
		try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db)) {
			this.parts.insert(5);
			EngineParts.beginRead(reader);
			this.parts.insert((int) Backfill.ENOUGH_FRAMES + 200);
			this.parts.tracker.copyWal();
			Pos before = this.parts.tracker.position();
			try (Statement s = this.parts.app.createStatement()) {
				s.execute("BEGIN IMMEDIATE");
				s.execute("INSERT INTO t (v) VALUES ('an application writer holds the write lock')");
				this.parts.checkpointer.checkpoint(CheckpointMode.RESTART);
				s.execute("COMMIT");
			}
			assertThat(this.events).as("no attempt at the write lock").containsExactly("blocked RESTART",
					"checkpoint RESTART");
			assertThat(this.parts.checkpointer.pinnedWal(this.parts.tracker.position())).isPresent();

			reader.createStatement().execute("COMMIT");
			this.parts.checkpointer.checkpoint(CheckpointMode.RESTART);
			assertThat(this.parts.tracker.position().index()).as("the next checkpoint restarts it")
				.isEqualTo(before.index() + 1);
			assertThat(this.parts.rowsInDatabaseFile(this.dir.resolve("scratch")))
				.isEqualTo(5 + (int) Backfill.ENOUGH_FRAMES + 200 + 1);
		}
	}

	@Test
	void aCheckpointThatCannotTakeTheWriteLockIsReportedAndKeepsTheWalFromRestarting() throws Exception {
		this.parts.insert(30);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		try (Statement s = this.parts.app.createStatement()) {
			s.execute("BEGIN IMMEDIATE");
			s.execute("INSERT INTO t (v) VALUES ('not committed')");
			this.parts.checkpointer.checkpoint(CheckpointMode.RESTART);
			s.execute("ROLLBACK");
		}
		assertThat(this.events).containsExactly("error RESTART");
		assertThat(this.parts.tracker.position().index()).isEqualTo(before.index());
		assertThat(this.parts.rowsInDatabaseFile(this.dir.resolve("scratch")))
			.as("step (1) needs no write lock")
			.isEqualTo(30);
		// The engine still holds a read transaction at the WAL's end: without it, this write
		// would restart the fully checkpointed WAL behind its back, and the copy below would
		// start a generation.
		this.parts.insert(1);
		this.parts.tracker.copyWal();
		assertThat(this.parts.tracker.position().generation()).isEqualTo(before.generation());
		assertThat(this.parts.tracker.position().index()).isEqualTo(before.index());
		assertShadowIsPrefixOfWal();
	}

	@Test
	void noCheckpointRunsWhileASnapshotReadsTheDatabase() throws Exception {
		this.parts.insert(30);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		byte[] databaseFile = Files.readAllBytes(this.parts.db);
		SnapshotHoldingLock.whileHeld(this.parts.checkpointLock, () -> {
			this.parts.checkpointer.checkpoint(CheckpointMode.RESTART);
			this.parts.checkpointer.checkpointInPlace();
		});
		assertThat(this.events).isEmpty();
		assertThat(this.parts.tracker.position()).isEqualTo(before);
		assertThat(Files.readAllBytes(this.parts.db)).as("the database file is untouched").isEqualTo(databaseFile);
		this.parts.checkpointer.checkpoint(CheckpointMode.RESTART);
		assertThat(this.parts.tracker.position().index()).isEqualTo(before.index() + 1);
	}

	@Test
	void checkpointIfDueFollowsThePolicy() throws Exception {
		this.parts.policy.checkpointed();
		this.parts.insert(3);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		this.parts.checkpointer.checkpointIfDue();
		assertThat(this.events).as("below every threshold, within the interval").isEmpty();
		assertThat(this.parts.tracker.position()).isEqualTo(before);
		this.parts.insert(EngineParts.MIN_PAGES);
		this.parts.tracker.copyWal();
		this.parts.checkpointer.checkpointIfDue();
		assertThat(this.events).containsExactly("checkpoint PASSIVE");
		assertThat(this.parts.rowsInDatabaseFile(this.dir.resolve("scratch"))).isEqualTo(3 + EngineParts.MIN_PAGES);
		assertThat(this.parts.tracker.position().index()).as("the next write restarts the WAL")
			.isEqualTo(before.index());
		this.parts.checkpointer.checkpointIfDue();
		assertThat(this.events).as("nothing to do until it does").containsExactly("checkpoint PASSIVE");
		this.parts.insert(1);
		this.parts.tracker.copyWal();
		assertThat(this.parts.tracker.position().index()).isEqualTo(before.index() + 1);
		this.parts.insert(EngineParts.MAX_PAGES);
		this.parts.tracker.copyWal();
		this.parts.checkpointer.checkpointIfDue();
		assertThat(this.events).containsExactly("checkpoint PASSIVE", "checkpoint RESTART");
		this.parts.insert(1);
		this.parts.tracker.copyWal();
		assertThat(this.parts.tracker.position().index()).isEqualTo(before.index() + 2);
	}

	private byte[] walHeader() throws Exception {
		return Arrays.copyOf(Files.readAllBytes(this.parts.tracker.walPath()), 32);
	}

	private void assertShadowIsPrefixOfWal() throws Exception {
		byte[] shadow = Files.readAllBytes(this.parts.tracker.shadow().file());
		byte[] real = Files.readAllBytes(this.parts.tracker.walPath());
		assertThat(shadow.length).isEqualTo((int) this.parts.tracker.position().offset());
		assertThat(Arrays.copyOf(real, shadow.length)).isEqualTo(shadow);
	}

}
