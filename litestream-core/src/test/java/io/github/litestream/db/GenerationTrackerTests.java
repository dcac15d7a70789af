package io.github.litestream.db;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.replica.Pos;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link GenerationTracker} on real SQLite: when a generation continues on open, and why one
 * starts.
 */
class GenerationTrackerTests {

	@TempDir
	Path dir;

	private EngineParts parts;

	private final List<String> reasons = new CopyOnWriteArrayList<>();

	@BeforeEach
	void open() throws Exception {
		this.parts = new EngineParts(this.dir);
	}

	@AfterEach
	void close() throws Exception {
		this.parts.close();
	}

	@Test
	void theFirstOpenStartsAGenerationAndRecordsIt() throws Exception {
		Pos position = this.parts.tracker.position();
		assertThat(position.index()).isZero();
		assertThat(this.parts.localState.readGeneration()).contains(position.generation());
		assertThat(this.parts.indexesStarted).hasValue(1);
	}

	@Test
	void aSecondTrackerContinuesTheGenerationAfterACrash() throws Exception {
		this.parts.insert(5);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		this.parts.insert(5);

		GenerationTracker again = resumeAgain(null);

		Pos after = again.position();
		assertThat(after.generation()).isEqualTo(before.generation());
		assertThat(after.index()).isEqualTo(before.index());
		assertThat(after.offset()).as("the frames written meanwhile are copied").isGreaterThan(before.offset());
		assertThat(this.reasons).isEmpty();
		again.close();
	}

	@Test
	void aMissingShadowWalStartsANewGeneration() throws Exception {
		this.parts.insert(5);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		Files.delete(this.parts.tracker.shadow().file());

		GenerationTracker again = resumeAgain(null);

		assertThat(again.position().generation()).isNotEqualTo(before.generation());
		assertThat(this.reasons).singleElement().asString().contains("missing or unreadable");
		assertThat(this.parts.localState.readGeneration()).contains(again.position().generation());
		again.close();
	}

	@Test
	void aWalTruncatedBehindTheEnginesBackStartsANewGeneration() throws Exception {
		assertNewGenerationAfterForeignCheckpoint("TRUNCATE", 1, "truncated by another process");
	}

	@Test
	void aWalRestartedBehindTheEnginesBackStartsANewGeneration() throws Exception {
		assertNewGenerationAfterForeignCheckpoint("RESTART", 20, "restarted or replaced");
	}

	private void assertNewGenerationAfterForeignCheckpoint(String mode, int rowsAfter, String reason)
			throws Exception {
		this.parts.insert(5);
		this.parts.tracker.copyWal();
		Pos before = this.parts.tracker.position();
		this.parts.listeners.add(recordReasons());
		// As if the engine were stopped: without its read transaction, the application restarts the WAL.
		this.parts.connections.releaseReadLock();
		try (Statement s = this.parts.app.createStatement();
				ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
			rs.next();
		}
		this.parts.insert(rowsAfter);
		this.parts.connections.acquireReadLock();

		this.parts.tracker.copyWal();

		assertThat(this.parts.tracker.position().generation()).isNotEqualTo(before.generation());
		assertThat(this.reasons).singleElement().asString().contains(reason);
	}

	@Test
	void aCleanShutdownPositionContinuesAtTheNextIndexOnlyIfTheWalRestarted() throws Exception {
		this.parts.insert(5);
		this.parts.tracker.copyWal();
		Pos recorded = this.parts.tracker.position();

		GenerationTracker same = resumeAgain(recorded);
		assertThat(same.position().index()).as("the WAL still holds the index: it just continues")
			.isEqualTo(recorded.index());
		same.close();

		this.parts.connections.releaseReadLock();
		try (Statement s = this.parts.app.createStatement();
				ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
			rs.next();
		}
		this.parts.connections.acquireReadLock();
		GenerationTracker next = resumeAgain(recorded);
		assertThat(next.position().generation()).isEqualTo(recorded.generation());
		assertThat(next.position().index()).isEqualTo(recorded.index() + 1);
		assertThat(this.reasons).isEmpty();
		next.close();
	}

	@Test
	void anIndexPastTheMaximumStartsANewGeneration() throws Exception {
		Pos before = this.parts.tracker.position();
		this.parts.listeners.add(recordReasons());
		try (FileChannel wal = this.parts.tracker.openWal()) {
			this.parts.tracker.startIndex(wal, Pos.MAX_INDEX + 1);
		}
		assertThat(this.parts.tracker.position().generation()).isNotEqualTo(before.generation());
		assertThat(this.parts.tracker.position().index()).isZero();
		assertThat(this.reasons).singleElement().asString().contains("maximum");
	}

	private GenerationTracker resumeAgain(Pos cleanShutdownPosition) throws Exception {
		AtomicInteger ignored = new AtomicInteger();
		GenerationTracker again = new GenerationTracker(this.parts.db, new LocalState(this.parts.db),
				List.of(recordReasons()), ignored::incrementAndGet);
		again.resume(this.parts.connections, cleanShutdownPosition);
		return again;
	}

	private DatabaseListener recordReasons() {
		return new DatabaseListener() {
			@Override
			public void onGeneration(String generation, String reason) {
				GenerationTrackerTests.this.reasons.add(reason);
			}
		};
	}

}
