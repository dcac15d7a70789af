package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.file.FileReplicaClient;
import org.assertj.core.api.ThrowableAssertAlternative;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.restore.ReplicaDamage.flipByte;
import static io.github.litestream.restore.ReplicaDamage.truncate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Restores from damaged or unsuitable replicas: each fails with a message naming the replica,
 * the object or position and a fix, and leaves nothing in the output directory.
 */
class RestoreFailureTests {

	private static final String GEN = Fixture.GENERATION;

	@TempDir
	Path temp;

	private Path root;

	private Path outputDir;

	private Path output;

	private FileReplicaClient client;

	private final Restorer restorer = new Restorer();

	@BeforeEach
	void copyFixture() throws IOException {
		this.root = Fixture.copyReplica(this.temp.resolve("replica"));
		this.client = new FileReplicaClient(this.root);
		this.outputDir = Files.createDirectories(this.temp.resolve("out"));
		this.output = this.outputDir.resolve("app.db");
	}

	@AfterEach
	void nothingHalfWrittenIsLeft() throws IOException {
		try (Stream<Path> files = Files.list(this.outputDir)) {
			assertThat(files.map((path) -> path.getFileName().toString()).filter((name) -> !name.equals("app.db")))
				.as("temporary files left next to the output")
				.isEmpty();
		}
	}

	@Test
	void missingInitialSegment() throws IOException {
		Files.delete(wal("0000000b_00000000"));
		failsAt(0x0c).withMessageContaining("missing initial WAL segment: generation=" + GEN + " index=0000000b offset=00000000 in " + this.client.location())
			.withMessageContaining("index=0000000a");
	}

	@Test
	void missingInitialSegmentAtTheSnapshotIndex() throws IOException {
		Files.delete(wal("0000000a_00000000"));
		failsAt(0x0c).withMessageContaining("missing initial WAL segment: generation=" + GEN + " index=0000000a offset=00000000")
			.withMessageContaining("restore an index below 0000000a");
	}

	@Test
	void snapshotIndexWithoutAnySegmentIsRestoredAlone() throws Exception {
		for (String name : List.of("00000023_00000000", "00000023_00001038")) {
			Files.delete(wal(name));
		}
		RestoreResult result = this.restorer.restore(this.client, RestoreOptions.latest(this.output).withIndex(0x23));
		assertThat(result.plan().walIndexes()).isEmpty();
		assertThat(RestoredDatabase.summary(this.output, null).count()).isGreaterThanOrEqualTo(Fixture.expectedAt(0x22).count())
			.isLessThanOrEqualTo(Fixture.expectedAt(0x23).count());
		assertThat(RestoredDatabase.integrityCheckWithCli(this.output)).isEqualTo("ok");
	}

	@Test
	void snapshotIndexWithoutAnySegmentButLaterWalIsAnError() throws IOException {
		for (String name : List.of("00000023_00000000", "00000023_00001038")) {
			Files.delete(wal(name));
		}
		fails(RestoreOptions.latest(this.output)).withMessageContaining("missing WAL index: generation=" + GEN + " index=00000023")
			.withMessageContaining("can be restored alone with index=00000023");
	}

	@Test
	void missingIndex() throws IOException {
		Files.delete(wal("0000000c_00000000"));
		Files.delete(wal("0000000c_00003068"));
		failsAt(0x0e).withMessageContaining("missing WAL index: generation=" + GEN + " index=0000000c")
			.withMessageContaining(this.client.location())
			.withMessageContaining("index=0000000b");
	}

	@Test
	void flippedByteInSegment() throws IOException {
		flipByte(wal("0000000b_00000000"));
		failsAt(0x0c).withMessageContaining("generations/" + GEN + "/wal/0000000b_00000000.wal.lz4")
			.withMessageContaining(this.client.location())
			.withMessageContaining("Restore up to the index before it (index=0000000a)");
	}

	@Test
	void truncatedSegment() throws IOException {
		truncate(wal("0000000b_00000000"));
		failsAt(0x0c).withMessageContaining("generations/" + GEN + "/wal/0000000b_00000000.wal.lz4");
	}

	@Test
	void truncatedSnapshot() throws IOException {
		truncate(this.root.resolve("generations/" + GEN + "/snapshots/0000000a.snapshot.lz4"));
		failsAt(0x0c).withMessageContaining("generations/" + GEN + "/snapshots/0000000a.snapshot.lz4")
			.withMessageContaining(this.client.location());
	}

	@Test
	void flippedByteInSnapshot() throws IOException {
		flipByte(this.root.resolve("generations/" + GEN + "/snapshots/0000000a.snapshot.lz4"));
		failsAt(0x0a).withMessageContaining("generations/" + GEN + "/snapshots/0000000a.snapshot.lz4");
	}

	@Test
	void bytesAfterTheLastCommitFrameAreDamage() throws Exception {
		appendTornFrame(wal("0000000a_000060b0"));
		// Dropping them and applying index 0b on top would mix pages of two moments.
		failsAt(0x0b).withMessageContaining("generation=" + GEN + " index=0000000a")
			.withMessageContaining("is damaged: its valid frames end at offset")
			.withMessageContaining("generations/" + GEN + "/wal/0000000a_000060b0.wal.lz4")
			.withMessageContaining("restore up to the previous index or from another replica");
	}

	@Test
	void bytesAfterTheLastCommitFrameFallBackToThePreviousIndex() throws Exception {
		appendTornFrame(wal("0000000a_000060b0"));
		RestoreResult result = this.restorer.restore(this.client,
				RestoreOptions.latest(this.output).withIndex(0x0b).withFallBack(true));
		assertThat(result.plan().targetIndex()).isEqualTo(0x09);
		assertThat(RestoredDatabase.summary(this.output, 0x09L)).isEqualTo(Fixture.expectedAt(0x09));
	}

	/** Appends the start of a frame that never committed, as a torn write would leave it. */
	private static void appendTornFrame(Path segment) throws IOException {
		byte[] wal;
		try (InputStream in = Lz4.decompress(Files.newInputStream(segment))) {
			wal = in.readAllBytes();
		}
		try (OutputStream out = Lz4.compress(Files.newOutputStream(segment))) {
			out.write(wal);
			out.write(Arrays.copyOf(wal, 4096 + 24 - 100));
		}
	}

	@Test
	void gapBetweenSegmentOffsets() throws IOException {
		Files.delete(wal("0000000a_00001038"));
		failsAt(0x0b).withMessageContaining("not contiguous")
			.withMessageContaining("generations/" + GEN + "/wal/0000000a_000060b0.wal.lz4 starts at offset 000060b0")
			.withMessageContaining("end at offset 00001038 (leaves a gap)");
	}

	@Test
	void overlappingSegmentOffsets() throws IOException {
		Files.move(wal("0000000a_00001038"), wal("0000000a_00000800"));
		failsAt(0x0b).withMessageContaining("generations/" + GEN + "/wal/0000000a_00000800.wal.lz4 starts at offset 00000800")
			.withMessageContaining("overlaps the previous segment");
	}

	@Test
	void walWithAnotherPageSizeThanTheSnapshot() throws Exception {
		Path db = this.temp.resolve("small-pages.db");
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
				Statement statement = connection.createStatement()) {
			statement.execute("PRAGMA page_size=1024");
			statement.execute("PRAGMA journal_mode=WAL");
			statement.execute("PRAGMA wal_autocheckpoint=0");
			statement.execute("CREATE TABLE t(x)");
			statement.execute("INSERT INTO t VALUES (1)");
			// A whole, valid WAL, but of 1 KiB pages: it cannot belong to the 4 KiB snapshot.
			try (OutputStream out = Lz4.compress(Files.newOutputStream(wal("0000000b_00000000")))) {
				Files.copy(this.temp.resolve("small-pages.db-wal"), out);
			}
		}
		Files.delete(wal("0000000b_00004080"));
		failsAt(0x0b).withMessageContaining("index=0000000b")
			.withMessageContaining("page size 1024 differs from the snapshot's 4096")
			.withMessageContaining("the snapshot or this index's first segment is corrupt")
			.withMessageNotContaining("offset 00000000 is corrupt");
	}

	@Test
	void replicaRootThatDoesNotExist() {
		this.client = new FileReplicaClient(this.temp.resolve("nowhere"));
		fails(RestoreOptions.latest(this.output)).withMessageContaining(this.temp.resolve("nowhere").toString())
			.withMessageContaining("holds no backup");
	}

	@Test
	void generationThatDoesNotExist() {
		fails(RestoreOptions.latest(this.output).withGeneration("0123456789abcdef"))
			.withMessageContaining("generation 0123456789abcdef does not exist")
			.withMessageContaining(GEN)
			.withMessageContaining(this.client.location());
	}

	@Test
	void invalidGenerationName() {
		fails(RestoreOptions.latest(this.output).withGeneration("../../etc")).withMessageContaining("'../../etc' is not a generation name");
	}

	@Test
	void indexAboveTheHighest() {
		failsAt(0x29).withMessageContaining("has no index 00000029; the highest available index is 00000028")
			.withMessageContaining(this.client.location());
	}

	@Test
	void existingOutputIsAnError() throws IOException {
		Files.writeString(this.output, "precious");
		fails(RestoreOptions.latest(this.output)).withMessageContaining(this.output.toString())
			.withMessageContaining("already exists")
			.withMessageContaining("if-db-not-exists");
		assertThat(this.output).hasContent("precious");
	}

	@Test
	void existingOutputIsKeptWithIfDbNotExists() throws IOException {
		Files.writeString(this.output, "precious");
		FileTime modified = FileTime.from(Instant.parse("2024-05-06T07:08:09Z"));
		Files.setLastModifiedTime(this.output, modified);
		RestoreResult result = this.restorer.restore(this.client,
				RestoreOptions.latest(this.output).withConditions(true, false));
		assertThat(result.restored()).isFalse();
		assertThat(result.skipReason()).contains("already exists");
		assertThat(this.output).hasContent("precious");
		assertThat(Files.getLastModifiedTime(this.output)).isEqualTo(modified);
	}

	@Test
	void emptyReplicaIsSkippedWithIfReplicaExists() throws IOException {
		Path empty = Files.createDirectories(this.temp.resolve("empty"));
		this.client = new FileReplicaClient(empty);
		RestoreResult result = this.restorer.restore(this.client,
				RestoreOptions.latest(this.output).withConditions(false, true));
		assertThat(result.restored()).isFalse();
		assertThat(result.skipReason()).contains(empty.toString());
		assertThat(this.output).doesNotExist();
		fails(RestoreOptions.latest(this.output)).withMessageContaining("holds no backup")
			.withMessageContaining("if-replica-exists");
	}

	@Test
	void aSnapshotThatDecompressesButFailsTheIntegrityCheckIsNamed() throws IOException {
		// LZ4's checksums pass for bytes that were wrong before they were compressed: only
		// SQLite's own check finds it, and the message names what was read.
		Path snapshot = this.root.resolve("generations/" + GEN + "/snapshots/00000023.snapshot.lz4");
		byte[] database;
		try (InputStream in = Lz4.decompress(Files.newInputStream(snapshot))) {
			database = in.readAllBytes();
		}
		int pageSize = ((database[16] & 0xff) << 8) | (database[17] & 0xff);
		for (int page = 1; (page + 1) * pageSize <= database.length; page++) {
			Arrays.fill(database, page * pageSize, page * pageSize + 8, (byte) 0xff);
		}
		try (InputStream in = Lz4.compressing(new java.io.ByteArrayInputStream(database))) {
			Files.write(snapshot, in.readAllBytes());
		}
		failsAt(0x23).withMessageContaining("generations/" + GEN + "/snapshots/00000023.snapshot.lz4")
			.withMessageContaining("snapshot 00000023")
			.withMessageContaining(this.client.location());
	}

	private ThrowableAssertAlternative<RestoreException> failsAt(long index) {
		return fails(RestoreOptions.latest(this.output).withIndex(index));
	}

	private ThrowableAssertAlternative<RestoreException> fails(RestoreOptions options) {
		boolean existed = Files.exists(this.output);
		ThrowableAssertAlternative<RestoreException> failure = assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> this.restorer.restore(this.client, options));
		if (!existed) {
			assertThat(this.output).doesNotExist();
		}
		return failure;
	}

	private Path wal(String name) {
		return this.root.resolve("generations/" + GEN + "/wal/" + name + ".wal.lz4");
	}

}
