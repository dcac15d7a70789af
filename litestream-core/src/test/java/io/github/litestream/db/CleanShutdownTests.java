package io.github.litestream.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.replica.Pos;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CleanShutdown} on real SQLite: a record is written only when the final checkpoint proves
 * the database file equals the shadow WAL's end, and it is good for one unchanged start.
 */
class CleanShutdownTests {

	@TempDir
	Path dir;

	private EngineParts parts;

	private DatabaseFile file;

	private CleanShutdown cleanShutdown;

	private final AtomicInteger opened = new AtomicInteger();

	@BeforeEach
	void open() throws Exception {
		this.parts = new EngineParts(this.dir);
		this.file = DatabaseFile.open(this.parts.db);
		this.cleanShutdown = new CleanShutdown(this.parts.db, this.parts.localState);
		this.parts.insert(5);
		this.parts.tracker.copyWal();
	}

	@AfterEach
	void close() throws Exception {
		this.parts.close();
		this.file.close();
	}

	@Test
	void aProvenShutdownIsRecordedAndContinuesOnce() throws Exception {
		this.parts.app.close();
		Pos end = this.parts.tracker.position();

		this.cleanShutdown.record(this.parts.tracker, this.parts.connections, this.file);

		assertThat(take()).contains(end);
		assertThat(this.opened).as("the database file was opened to check it").hasValue(1);
		assertThat(take()).as("a record is good for one start").isEmpty();
	}

	@Test
	void aDatabaseChangedAfterTheShutdownDoesNotContinue() throws Exception {
		this.parts.app.close();
		this.cleanShutdown.record(this.parts.tracker, this.parts.connections, this.file);
		this.parts.connections.bumpSequence();
		this.parts.connections.checkpoint(CheckpointMode.TRUNCATE);

		assertThat(take()).isEmpty();
	}

	@Test
	void nothingIsRecordedWhenAReaderKeepsTheCheckpointFromCoveringTheShadow() throws Exception {
		try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.parts.db)) {
			EngineParts.beginRead(reader);
			this.parts.insert(5);
			this.parts.tracker.copyWal();
			this.parts.app.close();

			this.cleanShutdown.record(this.parts.tracker, this.parts.connections, this.file);
		}
		assertThat(take()).isEmpty();
		assertThat(this.opened).as("without a record the file is not even read").hasValue(0);
	}

	@Test
	void nothingIsRecordedWhenTheWalHoldsFramesTheShadowDoesNotHave() throws Exception {
		this.parts.insert(5);
		// The WAL was rewritten behind the engine: the shadow can no longer prove anything.
		this.parts.connections.releaseReadLock();
		this.parts.connections.checkpoint(CheckpointMode.TRUNCATE);
		this.parts.insert(1);
		this.parts.app.close();
		this.parts.connections.acquireReadLock();

		this.cleanShutdown.record(this.parts.tracker, this.parts.connections, this.file);

		assertThat(take()).isEmpty();
	}

	private Optional<Pos> take() throws Exception {
		return this.cleanShutdown.take(() -> {
			this.opened.incrementAndGet();
			return this.file;
		});
	}

}
