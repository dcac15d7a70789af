package io.github.litestream.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.replica.Pos;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application that commits as fast as it can, faster than the checkpoint's lock-free rounds
 * copy and backfill: more than {@link Backfill#ENOUGH_FRAMES} frames arrive during every round.
 * The engine's own read transaction holds those frames back from each round's checkpoint, which
 * must not be mistaken for a reader pinning the WAL: the step under the write lock does the rest
 * and the WAL restarts.
 */
class SaturatingWriterTests {

	/** Frames one commit of {@link #commitPages} writes, at least: one row a page. */
	private static final int PAGES = (int) Backfill.ENOUGH_FRAMES + 100;

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
	void aWriterThatOutrunsEveryRoundStillHasTheWalRestarted() throws Exception {
		this.parts.insert(5);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		AtomicInteger rounds = new AtomicInteger();
		this.parts.checkpointer.runDuringBackfill(() -> {
			rounds.incrementAndGet();
			commitPages(this.parts.app);
		});

		this.parts.checkpointer.checkpoint(CheckpointMode.RESTART);

		assertThat(rounds.get()).as("no round caught up with the writer").isEqualTo(2 * Backfill.ROUNDS);
		assertThat(this.events).containsExactly("checkpoint RESTART");
		assertThat(this.parts.tracker.position().index()).as("the WAL restarted and the next index began")
			.isEqualTo(before.index() + 1);
		assertThat(this.parts.checkpointer.pinnedWal(this.parts.tracker.position())).isEmpty();
		assertThat(this.parts.rowsInDatabaseFile(this.dir.resolve("scratch"))).isEqualTo(5 + rounds.get() * PAGES);
	}

	@Test
	void aReaderThatPinsTheBacklogStillKeepsTheCheckpointOffTheWriteLock() throws Exception {
		// The same writer, but a reader also pins what was committed before the checkpoint.
		try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db)) {
			this.parts.insert(5);
			EngineParts.beginRead(reader);
			commitPages(this.parts.app);
			this.parts.tracker.copyWal();
			Pos before = this.parts.tracker.position();
			this.parts.checkpointer.runDuringBackfill(() -> commitPages(this.parts.app));

			this.parts.checkpointer.checkpoint(CheckpointMode.RESTART);

			assertThat(this.events).containsExactly("blocked RESTART", "checkpoint RESTART");
			assertThat(this.parts.tracker.position().index()).isEqualTo(before.index());
			assertThat(this.parts.checkpointer.pinnedWal(this.parts.tracker.position())).isPresent();
			reader.createStatement().execute("COMMIT");
		}
	}

	/** Commits {@link #PAGES} rows of a page each, in one transaction. */
	private static void commitPages(Connection app) {
		try (Statement s = app.createStatement()) {
			s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + PAGES + ") "
					+ "INSERT INTO t (v) SELECT hex(randomblob(1500)) FROM n");
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
