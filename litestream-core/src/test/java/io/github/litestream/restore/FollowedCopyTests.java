package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

import io.github.litestream.db.GenerationContinuation;
import io.github.litestream.replica.BreakingStreams;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A follower's copy of the stock fixture replica, short of its newest segment: what it hands
 * over, and when it must be restored again first (a failure that may have written pages, not
 * one that only broke a download).
 */
class FollowedCopyTests {

	private static final String NEWEST_SEGMENT = "00000028_00001038.wal.lz4";

	@TempDir
	Path temp;

	private Path walDir;

	private Path database;

	private FollowedCopy copy;

	private volatile boolean breakDownloads;

	@BeforeEach
	void restoreAllButTheNewestSegment() throws IOException {
		Path root = Fixture.copyReplica(this.temp.resolve("replica"));
		this.walDir = root.resolve("generations").resolve(Fixture.GENERATION).resolve("wal");
		Files.move(this.walDir.resolve(NEWEST_SEGMENT), this.temp.resolve(NEWEST_SEGMENT));
		ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(root)) {

			@Override
			public InputStream openWalSegment(Pos pos) throws IOException {
				InputStream in = delegate().openWalSegment(pos);
				if (!FollowedCopyTests.this.breakDownloads) {
					return in;
				}
				try (in) {
					return BreakingStreams.breaksAfter(in.readAllBytes(), 100, new IOException("connection reset"));
				}
			}

		};
		this.database = this.temp.resolve("followed.db");
		this.copy = new FollowedCopy(client, this.database);
		assertThat(this.copy.restoreReason()).isEqualTo("no database yet");
		Pos restored = this.copy.install(LatestState.restore(client, this.database, 2, "test").orElseThrow());
		assertThat(restored).isEqualTo(new Pos(Fixture.GENERATION, 0x28, 0x1038));
		assertThat(this.copy.restoreReason()).isNull();
	}

	@Test
	void aCopyNeverRestoredHandsOverNothing() throws IOException {
		FollowedCopy empty = new FollowedCopy(new FileReplicaClient(this.temp.resolve("replica")),
				this.temp.resolve("never.db"));
		assertThat(empty.handOver()).isEmpty();
		assertThat(GenerationContinuation.recorded(this.temp.resolve("never.db"))).isEmpty();
	}

	@Test
	void handsOverWhereItIsAfterTheSegmentsItApplied() throws IOException {
		this.copy.apply(putNewestSegmentBack());
		Pos end = this.copy.wal().position();
		assertThat(end.index()).isEqualTo(0x28);
		assertThat(end.offset()).isGreaterThan(0x1038);
		assertThat(this.copy.handOver()).contains(end);
		assertThat(GenerationContinuation.recorded(this.database)).contains(end);
	}

	@Test
	void aReaderIsGivenTheStateTheFileHoldsAsSoonAsItsPagesLanded() throws Exception {
		Fixture.Expected latest = Fixture.expected().stream().filter((row) -> row.index() == null).findFirst()
			.orElseThrow();
		ReplicaFollower.DatabaseReader<Pos> position = (file, at) -> at;
		ReplicaFollower.DatabaseReader<Fixture.Expected> rows = (file, at) -> summary(file);
		assertThat(this.copy.read(position)).isEqualTo(new Pos(Fixture.GENERATION, 0x28, 0x1038));
		assertThat(this.copy.read(rows)).isNotEqualTo(latest);
		this.copy.apply(putNewestSegmentBack());
		// Before the follower publishes its status: the copy knows what its file holds.
		assertThat(this.copy.read(position)).isEqualTo(this.copy.wal().position());
		assertThat(this.copy.read(rows)).isEqualTo(latest);
	}

	@Test
	void aCopyToBeRestoredAgainIsNotHandedOverUntilItWas() throws IOException {
		this.copy.restoreAgain("a gap in the WAL");
		assertThatExceptionOfType(IOException.class).isThrownBy(this.copy::handOver)
			.withMessageContaining("is not handed over: it is to be restored again (a gap in the WAL)");
		assertThat(GenerationContinuation.recorded(this.database)).isEmpty();
		Pos restored = this.copy.install(LatestState.restore(new FileReplicaClient(this.temp.resolve("replica")),
				this.database, 2, "test").orElseThrow());
		assertThat(this.copy.handOver()).contains(restored);
	}

	@Test
	void aBrokenDownloadWroteNothingSoTheSegmentIsFetchedAgain() throws IOException {
		WalSegmentInfo segment = putNewestSegmentBack();
		Pos before = this.copy.wal().position();
		this.breakDownloads = true;
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> this.copy.apply(segment))
			.withMessageContaining("connection reset");
		assertThat(this.copy.restoreReason()).isNull();
		assertThat(this.copy.wal().position()).isEqualTo(before);
		this.breakDownloads = false;
		this.copy.apply(segment);
		assertThat(this.copy.wal().position().offset()).isGreaterThan(before.offset());
	}

	@Test
	void aFailureWhileWritingPagesLeavesTheCopyToBeRestoredAgain() throws IOException {
		WalSegmentInfo segment = putNewestSegmentBack();
		// The database cannot be opened for writing: the failure comes once pages were to be written.
		Files.delete(this.database);
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> this.copy.apply(segment));
		assertThat(this.copy.restoreReason()).startsWith("applying WAL segment " + segment.pos() + " failed: ");
	}

	private static Fixture.Expected summary(Path file) throws IOException {
		try {
			return RestoredDatabase.summary(file, null);
		}
		catch (SQLException ex) {
			throw new IOException(ex);
		}
	}

	private WalSegmentInfo putNewestSegmentBack() throws IOException {
		Files.move(this.temp.resolve(NEWEST_SEGMENT), this.walDir.resolve(NEWEST_SEGMENT));
		List<WalSegmentInfo> segments = new FileReplicaClient(this.temp.resolve("replica"))
			.walSegments(Fixture.GENERATION);
		WalSegmentInfo newest = segments.get(segments.size() - 1);
		assertThat(this.copy.wal().isNext(newest)).isTrue();
		return newest;
	}

}
