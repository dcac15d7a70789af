package io.github.litestream.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.github.litestream.replica.Pos;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * {@link PendingWal}: which shadow WAL range a replica at a position ships next, from the files
 * alone.
 */
class PendingWalTests {

	private static final String GENERATION = "0123456789abcdef";

	@TempDir
	Path dir;

	private LocalState localState;

	private PendingWal pending;

	@BeforeEach
	void setUp() throws IOException {
		Path db = this.dir.resolve("app.db");
		this.localState = new LocalState(db);
		this.pending = new PendingWal(db, this.localState);
		shadow(0, 1000);
		shadow(1, 500);
		// The current index's file may already be longer than the published position.
		shadow(2, 300);
	}

	@Test
	void theRestOfTheReplicasIndex() throws IOException {
		assertThat(this.pending.after(pos(0, 200), pos(2, 100)))
			.contains(new ShadowWalSegment(pos(0, 200), 800, file(0)));
	}

	@Test
	void theStartOfTheNextIndexOnceTheReplicaHasAllOfItsOwn() throws IOException {
		assertThat(this.pending.after(pos(0, 1000), pos(2, 100)))
			.contains(new ShadowWalSegment(pos(1, 0), 500, file(1)));
	}

	@Test
	void theCurrentIndexEndsAtThePublishedPosition() throws IOException {
		assertThat(this.pending.after(pos(1, 500), pos(2, 100)))
			.contains(new ShadowWalSegment(pos(2, 0), 100, file(2)));
		assertThat(this.pending.after(pos(2, 40), pos(2, 100)))
			.contains(new ShadowWalSegment(pos(2, 40), 60, file(2)));
		assertThat(this.pending.after(pos(2, 100), pos(2, 100))).isEmpty();
	}

	@Test
	void aPositionBeyondThePublishedOneIsAnError() {
		assertThatIOException().isThrownBy(() -> this.pending.after(pos(2, 101), pos(2, 100)))
			.withMessageContaining("beyond the shadow WAL");
	}

	@Test
	void anEarlierIndexShorterThanTheReplicasPositionIsReportedAsNoLongerKept() throws IOException {
		// A shadow WAL cut short (power lost before it reached the disk) no longer holds what the
		// replica has: the replica starts over from a snapshot rather than failing every sync.
		assertThatExceptionOfType(ShadowWalMissingException.class)
			.isThrownBy(() -> this.pending.after(pos(0, 1001), pos(2, 100)))
			.withMessageContaining("shorter");
		shadow(0, 0);
		assertThatExceptionOfType(ShadowWalMissingException.class)
			.isThrownBy(() -> this.pending.after(pos(0, 200), pos(2, 100)));
	}

	@Test
	void anotherGenerationOrNoPositionIsAnError() {
		assertThatIOException().isThrownBy(() -> this.pending.after(pos(0, 0), null))
			.withMessageContaining("not in the current generation");
		assertThatIOException()
			.isThrownBy(() -> this.pending.after(new Pos("fedcba9876543210", 0, 0), pos(2, 100)))
			.withMessageContaining("not in the current generation");
	}

	@Test
	void aDeletedIndexIsReportedAsNoLongerKept() throws IOException {
		Files.delete(file(0));
		assertThatExceptionOfType(ShadowWalMissingException.class)
			.isThrownBy(() -> this.pending.after(pos(0, 200), pos(2, 100)));
	}

	private void shadow(long index, int size) throws IOException {
		Path file = file(index);
		Files.createDirectories(file.getParent());
		Files.write(file, new byte[size]);
	}

	private Path file(long index) {
		return this.localState.shadowWalPath(GENERATION, index);
	}

	private static Pos pos(long index, long offset) {
		return new Pos(GENERATION, index, offset);
	}

}
