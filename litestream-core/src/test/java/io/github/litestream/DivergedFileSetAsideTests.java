package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DivergedFile#setAside}: the file moves with its {@code -wal}, {@code -shm} and local
 * state, and a second set-aside in the same second keeps the first.
 */
class DivergedFileSetAsideTests {

	private static final Instant NOW = Instant.parse("2026-12-01T18:30:05.250Z");

	@TempDir
	Path dir;

	@Test
	void movesTheFileWithItsCompanionsUnderOneName() throws IOException {
		Path database = database("first");
		Path aside = DivergedFile.setAside(database, NOW);
		assertThat(aside.getFileName()).hasToString(".app.db-diverged-20261201T183005Z");
		assertMoved(aside, "first");
		assertThat(database).doesNotExist();
	}

	@Test
	void aSecondSetAsideInTheSameSecondKeepsTheFirst() throws IOException {
		Path first = DivergedFile.setAside(database("first"), NOW);
		Path second = DivergedFile.setAside(database("second"), NOW);
		Path third = DivergedFile.setAside(database("third"), NOW);
		assertThat(second.getFileName()).hasToString(".app.db-diverged-20261201T183005Z-2");
		assertThat(third.getFileName()).hasToString(".app.db-diverged-20261201T183005Z-3");
		assertMoved(first, "first");
		assertMoved(second, "second");
		assertMoved(third, "third");
	}

	@Test
	void aNameTakenByACompanionAloneIsNotReused() throws IOException {
		// A WAL left from an earlier set-aside whose database file was since removed by hand.
		Files.writeString(this.dir.resolve(".app.db-diverged-20261201T183005Z-wal"), "orphan");
		Path aside = DivergedFile.setAside(database("first"), NOW);
		assertThat(aside.getFileName()).hasToString(".app.db-diverged-20261201T183005Z-2");
		assertThat(this.dir.resolve(".app.db-diverged-20261201T183005Z-wal")).hasContent("orphan");
		assertMoved(aside, "first");
	}

	private Path database(String content) throws IOException {
		Path database = this.dir.resolve("app.db");
		Files.writeString(database, content + " db");
		Files.writeString(this.dir.resolve("app.db-wal"), content + " wal");
		Files.writeString(this.dir.resolve("app.db-shm"), content + " shm");
		Path state = Files.createDirectories(this.dir.resolve(".app.db-litestream"));
		Files.writeString(state.resolve("generation"), content + " state");
		return database;
	}

	private static void assertMoved(Path aside, String content) {
		assertThat(aside).hasContent(content + " db");
		assertThat(aside.resolveSibling(aside.getFileName() + "-wal")).hasContent(content + " wal");
		assertThat(aside.resolveSibling(aside.getFileName() + "-shm")).hasContent(content + " shm");
		assertThat(aside.resolveSibling(aside.getFileName() + "-litestream").resolve("generation"))
			.hasContent(content + " state");
	}

}
