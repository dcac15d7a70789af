package io.github.litestream.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.litestream.replica.Pos;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Another connection restarts the WAL between the checkpoint's steps (2) and (3) when step (2)
 * could not empty it (an application reader pinned frames), so the engine holds no fence: the old
 * index is complete only if its frames past the last copy are still on disk after the restart.
 * Each test commits T1 to the old WAL after step (2), lets an application checkpoint and restart
 * the WAL, and checks that T1 is either in the old index or the cause of a new generation: never
 * silently missing from the replica's history.
 */
class ForeignRestartTests {

	@TempDir
	Path dir;

	private EngineParts parts;

	private final List<String> generations = new CopyOnWriteArrayList<>();

	@BeforeEach
	void open() throws Exception {
		this.parts = new EngineParts(this.dir);
		this.parts.listeners.add(new DatabaseListener() {
			@Override
			public void onGeneration(String generation, String reason) {
				ForeignRestartTests.this.generations.add(reason);
			}
		});
	}

	@AfterEach
	void close() throws Exception {
		this.parts.close();
	}

	@Test
	void oldFramesStillOnDiskAfterTheRestartCompleteTheOldIndex() throws Exception {
		// A larger WAL before, so that stale frames of an older WAL lie past the old index's end.
		this.parts.insert(100);
		this.parts.checkpointer.checkpoint(CheckpointMode.PASSIVE);
		long[] endWithT1 = new long[1];

		Scenario scenario = runWithForeignRestart((app, wal) -> {
			insertRows(app, "t1", 3, 100);
			endWithT1[0] = validEnd(wal);
			restartWal(app);
			insertRows(app, "t3", 1, 10);
		});

		assertThat(this.generations).as("continuity was kept").isEmpty();
		assertThat(endWithT1[0]).as("T1 was committed past the copied end").isGreaterThan(scenario.before.offset());
		assertThat(Files.size(scenario.oldShadow)).as("the old index holds T1").isEqualTo(endWithT1[0]);
		assertThat(this.parts.tracker.position().index()).isEqualTo(scenario.before.index() + 1);
	}

	@Test
	void oldFramesOverwrittenByARolledBackTransactionStartANewGeneration() throws Exception {
		long[] walSizes = new long[2];
		Scenario scenario = runWithForeignRestart((app, wal) -> {
			insertRows(app, "t1", 3, 100);
			walSizes[0] = validEnd(wal);
			restartWal(app);
			// T2 spills pages into the restarted WAL past T1, then rolls back; T3 commits one row
			// at the WAL's start, so that the new WAL's valid frames end before the old index's end.
			execute(app, "PRAGMA cache_size=2");
			execute(app, "BEGIN");
			insertRows(app, "t2", 200, 1000);
			execute(app, "ROLLBACK");
			insertRows(app, "t3", 1, 10);
			walSizes[1] = size(wal);
		});

		assertThat(walSizes[1]).as("T2's frames reach past T1's").isGreaterThan(walSizes[0]);

		assertThat(this.generations).as("T1 may be gone: the old index cannot be proven complete").hasSize(1);
		assertThat(this.parts.tracker.position().generation()).isNotEqualTo(scenario.before.generation());
	}

	@Test
	void oldFramesCutByJournalSizeLimitStartANewGeneration() throws Exception {
		Scenario scenario = runWithForeignRestart((app, wal) -> {
			insertRows(app, "t1", 20, 1000);
			restartWal(app);
			// The first commit after a restart truncates the WAL to journal_size_limit: inside T1,
			// which loses its commit frame while its first frames stay.
			long limit = this.parts.tracker.shadow().size() + 2L * this.parts.tracker.shadow().header().frameSize();
			execute(app, "PRAGMA journal_size_limit=" + limit);
			insertRows(app, "t3", 1, 10);
			assertThat(size(wal)).as("the WAL was cut inside T1").isEqualTo(limit);
		});

		assertThat(this.generations).as("T1 is gone: the old index cannot be proven complete").hasSize(1);
		assertThat(this.parts.tracker.position().generation()).isNotEqualTo(scenario.before.generation());
	}

	/**
	 * Runs a PASSIVE checkpoint that a reader keeps from emptying the WAL in step (2), with
	 * {@code foreign} run by an application connection between steps (2) and (3), once the reader
	 * has ended.
	 */
	private Scenario runWithForeignRestart(ForeignWrites foreign) throws Exception {
		this.parts.insert(5);
		this.parts.tracker.copyWal();
		try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db);
				Connection app = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db);
				FileChannel wal = FileChannel.open(this.parts.tracker.walPath())) {
			execute(app, "PRAGMA busy_timeout=5000");
			execute(app, "PRAGMA wal_autocheckpoint=0");
			EngineParts.beginRead(reader);
			this.parts.insert(3);
			this.parts.tracker.copyWal();
			Pos before = this.parts.tracker.position();
			Path oldShadow = this.parts.tracker.shadow().file();
			this.parts.checkpointer.runBetweenLocks(() -> {
				execute(reader, "COMMIT");
				foreign.run(app, wal);
			});

			this.parts.checkpointer.checkpoint(CheckpointMode.PASSIVE);

			return new Scenario(before, oldShadow);
		}
	}

	private static void insertRows(Connection app, String tag, int rows, int bytes) {
		execute(app, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows + ") "
				+ "INSERT INTO t (v) SELECT '" + tag + "' || hex(randomblob(" + bytes / 2 + ")) FROM n");
	}

	/** Moves every frame into the database file, so that the next write restarts the WAL. */
	private static void restartWal(Connection app) {
		try (Statement statement = app.createStatement();
				ResultSet result = statement.executeQuery("PRAGMA wal_checkpoint(RESTART)")) {
			result.next();
			assertThat(result.getInt(1)).as("the application's checkpoint emptied the WAL (not busy)").isZero();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static long validEnd(FileChannel wal) {
		try {
			WalHeader header = WalScanner.readHeader(wal);
			return WalScanner.scan(wal, header, WalHeader.SIZE, header.checksum()).end();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static long size(FileChannel wal) {
		try {
			return wal.size();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void execute(Connection connection, String sql) {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** What the application does between the locks. */
	@FunctionalInterface
	private interface ForeignWrites {

		void run(Connection app, FileChannel wal);

	}

	private record Scenario(Pos before, Path oldShadow) {
	}

}
