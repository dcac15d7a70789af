package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;

import io.github.litestream.replica.BreakingStreams;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.restore.ReplicaDamage.flipByte;
import static io.github.litestream.restore.ReplicaDamage.flipWalByte;
import static io.github.litestream.restore.ReplicaDamage.truncate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Restores with {@code fallBack} from damaged copies of the Litestream v0.3.14 fixture: each
 * restores exactly the newest intact point the fixture's expected.txt gives for it, and says
 * what it avoided.
 */
class RestoreFallbackTests {

	private static final String GEN = Fixture.GENERATION;

	@TempDir
	Path temp;

	private Path root;

	private Path output;

	private FileReplicaClient client;

	@BeforeEach
	void copyFixture() throws IOException {
		this.root = Fixture.copyReplica(this.temp.resolve("replica"));
		this.client = new FileReplicaClient(this.root);
		this.output = Files.createDirectories(this.temp.resolve("out")).resolve("app.db");
	}

	@AfterEach
	void noTemporaryFilesAreLeft() throws IOException {
		try (Stream<Path> files = Files.list(this.output.getParent())) {
			assertThat(files.map((path) -> path.getFileName().toString())).allMatch("app.db"::equals);
		}
	}

	@Test
	void corruptSegmentFallsBackToTheIndexBeforeIt() throws Exception {
		flipByte(wal("00000025_00000000"));

		RestoreResult result = restoreLatestWithFallBack();

		assertThat(result.avoided()).containsExactly(DamagedObject.wal(GEN, 0x25));
		assertThat(result.plan().targetIndex()).isEqualTo(0x24);
		assertThat(RestoredDatabase.summary(this.output, 0x24L)).isEqualTo(Fixture.expectedAt(0x24));
	}

	@Test
	void damageFoundByTheCheckComesBeforeAFailedDownloadOfTheNextIndex() throws Exception {
		// Index 0x24 reads back but fails its checksum chain; index 0x25 cannot be read at all.
		// The index before is what a fall back must avoid: one restore, back to 0x23.
		flipWalByte(wal("00000024_00001038"));
		flipByte(wal("00000025_00000000"));

		RestoreResult result = restoreLatestWithFallBack();

		assertThat(result.avoided()).containsExactly(DamagedObject.wal(GEN, 0x24));
		assertThat(RestoredDatabase.summary(this.output, 0x23L)).isEqualTo(Fixture.expectedAt(0x23));
	}

	@Test
	void missingInitialSegmentFallsBackToTheIndexBeforeIt() throws Exception {
		Files.delete(wal("00000026_00000000"));

		RestoreResult result = restoreLatestWithFallBack();

		assertThat(result.avoided()).containsExactly(DamagedObject.wal(GEN, 0x26));
		assertThat(RestoredDatabase.summary(this.output, 0x25L)).isEqualTo(Fixture.expectedAt(0x25));
	}

	@Test
	void gapBetweenSegmentsFallsBackToTheIndexBeforeIt() throws Exception {
		Files.delete(wal("00000024_00001038"));

		RestoreResult result = restoreLatestWithFallBack();

		assertThat(result.avoided()).containsExactly(DamagedObject.wal(GEN, 0x24));
		assertThat(RestoredDatabase.summary(this.output, 0x23L)).isEqualTo(Fixture.expectedAt(0x23));
	}

	@Test
	void damagedWalOfTheSnapshotIndexFallsBackToTheSnapshotBefore() throws Exception {
		// Index 23 is snapshot 23's own index: the state before it needs snapshot 19.
		flipByte(wal("00000023_00000000"));

		RestoreResult result = restoreLatestWithFallBack();

		assertThat(result.avoided()).containsExactly(DamagedObject.wal(GEN, 0x23));
		assertThat(result.plan().snapshot().index()).isEqualTo(0x19);
		assertThat(RestoredDatabase.summary(this.output, 0x22L)).isEqualTo(Fixture.expectedAt(0x22));
	}

	@Test
	void truncatedNewestSnapshotIsReplacedByAnEarlierOneReachingTheSamePoint() throws Exception {
		truncate(snapshot("00000023"));

		RestoreResult result = restoreLatestWithFallBack();

		assertThat(result.avoided()).containsExactly(DamagedObject.snapshot(GEN, 0x23));
		assertThat(result.plan().snapshot().index()).isEqualTo(0x19);
		Fixture.Expected latest = Fixture.expected().stream().filter((row) -> row.index() == null).findFirst()
			.orElseThrow();
		assertThat(RestoredDatabase.summary(this.output, null)).isEqualTo(latest);
	}

	@Test
	void aFailureToWriteLocallyNeverFallsBackToAnEarlierPoint() throws Exception {
		// The thread's interrupt makes the write of the newest snapshot fail (ClosedByInterrupt),
		// as a full disk would: the replica is intact.
		ReplicaClient interrupting = new ForwardingReplicaClient(this.client) {

			@Override
			public InputStream openSnapshot(String generation, long index) throws IOException {
				InputStream in = super.openSnapshot(generation, index);
				Thread.currentThread().interrupt();
				return in;
			}

		};
		try {
			assertThatExceptionOfType(IOException.class)
				.isThrownBy(() -> new Restorer().restore(interrupting, RestoreOptions.latest(this.output).withFallBack(true)))
				.isNotInstanceOf(RestoreException.class)
				.withMessageContaining("Cannot write");
		}
		finally {
			Thread.interrupted();
		}
		assertThat(this.output).doesNotExist();
	}

	@Test
	void aDownloadThatBreaksNeverFallsBackToAnEarlierPoint() throws Exception {
		// The connection resets in the middle of a WAL segment of the newest index: the object is
		// intact, the store only failed to deliver it.
		assertADownloadThatBreaksNeverFallsBack((bytes) -> BreakingStreams.breaksAfter(bytes, bytes.length / 2,
				new java.net.SocketException("Connection reset (test)")));
	}

	@Test
	void aDownloadThatBreaksUncheckedNeverFallsBackToAnEarlierPoint() throws Exception {
		// As some SDKs' streams report a connection reset.
		assertADownloadThatBreaksNeverFallsBack((bytes) -> BreakingStreams.breaksAfter(bytes, bytes.length / 2,
				new java.io.UncheckedIOException(new java.net.SocketException("Connection reset (test)"))));
	}

	private void assertADownloadThatBreaksNeverFallsBack(Function<byte[], InputStream> breaking) {
		ReplicaClient resetting = new ForwardingReplicaClient(this.client) {

			@Override
			public InputStream openWalSegment(io.github.litestream.replica.Pos pos) throws IOException {
				InputStream in = super.openWalSegment(pos);
				if (pos.index() != 0x28) {
					return in;
				}
				byte[] bytes = in.readAllBytes();
				in.close();
				return breaking.apply(bytes);
			}

		};
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> new Restorer().restore(resetting, RestoreOptions.latest(this.output).withFallBack(true)))
			.withMessageContaining("Cannot download WAL segment")
			.withMessageContaining("Connection reset (test)")
			.satisfies((ex) -> assertThat(ex.damagedObject()).isEmpty());
		assertThat(this.output).doesNotExist();
	}

	@Test
	void withoutFallBackTheSameDamageFails() throws IOException {
		flipByte(wal("00000025_00000000"));

		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> new Restorer().restore(this.client, RestoreOptions.latest(this.output)))
			.withMessageContaining("00000025_00000000.wal.lz4")
			.satisfies((ex) -> assertThat(ex.damagedObject()).contains(DamagedObject.wal(GEN, 0x25)));
		assertThat(this.output).doesNotExist();
	}

	@Test
	void noIntactPointLeftIsAnErrorNamingWhatWasAvoided() throws IOException {
		for (String index : new String[] { "00000000", "0000000a", "00000019", "00000023" }) {
			truncate(snapshot(index));
		}

		assertThatExceptionOfType(RestoreException.class).isThrownBy(this::restoreLatestWithFallBack)
			.withMessageContaining("found no intact earlier point")
			.withMessageContaining("snapshot generation=" + GEN + " index=00000023")
			.withMessageContaining("snapshot generation=" + GEN + " index=00000000");
		assertThat(this.output).doesNotExist();
	}

	private RestoreResult restoreLatestWithFallBack() throws IOException {
		return new Restorer().restore(this.client, RestoreOptions.latest(this.output).withFallBack(true));
	}

	private Path wal(String name) {
		return this.root.resolve("generations/" + GEN + "/wal/" + name + ".wal.lz4");
	}

	private Path snapshot(String index) {
		return this.root.resolve("generations/" + GEN + "/snapshots/" + index + ".snapshot.lz4");
	}

}
