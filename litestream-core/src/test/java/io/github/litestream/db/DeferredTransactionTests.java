package io.github.litestream.db;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.litestream.replica.Pos;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application transaction that begins deferred, reads, and then writes (what
 * {@code @Transactional} does with sqlite-jdbc's default {@code transaction_mode}) across the
 * engine's size-based checkpoint, driven as the monitor drives it. Any commit of the engine's
 * while such a transaction reads would make its write fail with {@code SQLITE_BUSY_SNAPSHOT}, which
 * no busy timeout cures; the checkpoint must leave the WAL's restart to the application's own next
 * write, and the next capture must continue the generation at the next index.
 */
class DeferredTransactionTests {

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
				DeferredTransactionTests.this.generations.add(reason);
			}
		});
	}

	@AfterEach
	void close() throws Exception {
		this.parts.close();
	}

	@Test
	void aTransactionThatReadBeforeTheCheckpointWritesAfterIt() throws Exception {
		this.parts.insert(EngineParts.MIN_PAGES + 5);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		try (Connection app = appConnection()) {
			app.setAutoCommit(false);
			assertThat(count(app)).isEqualTo(EngineParts.MIN_PAGES + 5);

			this.parts.checkpointer.checkpointIfDue();

			insert(app, "written after the checkpoint");
			app.commit();
		}
		this.parts.tracker.copyWal();

		assertThat(this.generations).as("continuity was kept").isEmpty();
		Pos after = this.parts.tracker.position();
		assertThat(after.generation()).isEqualTo(before.generation());
		// Its read mark kept SQLite from restarting the WAL: the write went on the old one.
		assertThat(after.index()).isEqualTo(before.index());
		assertThat(after.offset()).as("the application's write was captured").isGreaterThan(before.offset());
		assertShadowIsPrefixOfWal();
		// The next checkpoint moves it into the database file, and the next write restarts the WAL.
		this.parts.checkpointer.checkpointIfDue();
		this.parts.insert(1);
		this.parts.tracker.copyWal();
		assertThat(this.parts.tracker.position().index()).isEqualTo(before.index() + 1);
		assertThat(this.generations).isEmpty();
	}

	@Test
	void aTransactionThatReadBetweenTheCheckpointsLocksWritesAfterIt() throws Exception {
		// It begins on the emptied WAL, reading the database file only: its write is the one
		// that restarts the WAL.
		this.parts.insert(EngineParts.MIN_PAGES + 5);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		Path oldShadow = this.parts.tracker.shadow().file();
		try (Connection app = appConnection()) {
			app.setAutoCommit(false);
			this.parts.checkpointer.runBetweenLocks(() -> {
				try {
					count(app);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});

			this.parts.checkpointer.checkpointIfDue();

			insert(app, "restarts the WAL");
			app.commit();
		}
		assertThat(this.parts.tracker.copyWal()).as("the bytes the capture reports").isPositive();

		assertThat(this.generations).as("continuity was kept").isEmpty();
		Pos after = this.parts.tracker.position();
		assertThat(after.generation()).isEqualTo(before.generation());
		assertThat(after.index()).as("the application's restart began the next index").isEqualTo(before.index() + 1);
		assertThat(Files.size(oldShadow)).as("the old index is complete").isEqualTo(before.offset());
		assertShadowIsPrefixOfWal();
	}

	private Connection appConnection() throws SQLException {
		Connection app = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db);
		try (Statement s = app.createStatement()) {
			s.execute("PRAGMA busy_timeout=5000");
			s.execute("PRAGMA wal_autocheckpoint=0");
		}
		return app;
	}

	private static int count(Connection app) throws SQLException {
		try (Statement s = app.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
			rs.next();
			return rs.getInt(1);
		}
	}

	private static void insert(Connection app, String value) throws SQLException {
		try (Statement s = app.createStatement()) {
			s.execute("INSERT INTO t (v) VALUES ('" + value + "')");
		}
	}

	private void assertShadowIsPrefixOfWal() throws Exception {
		byte[] shadow = Files.readAllBytes(this.parts.tracker.shadow().file());
		byte[] real = Files.readAllBytes(this.parts.tracker.walPath());
		assertThat(shadow.length).isEqualTo((int) this.parts.tracker.position().offset());
		assertThat(Arrays.copyOf(real, shadow.length)).isEqualTo(shadow);
	}

}
