package io.github.litestream.replica.file;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaClientContractTest;
import io.github.litestream.replica.ReplicaObjectNotFoundException;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * {@link FileReplicaClient} against the replica contract, plus what only a directory has:
 * the exact on-disk tree, modification times, temporary files and request reporting.
 */
class FileReplicaClientTests extends ReplicaClientContractTest {

	@TempDir
	Path temp;

	private final List<String> operations = new ArrayList<>();

	private Path root;

	@Override
	protected ReplicaClient createClient() {
		this.root = this.temp.resolve("replica");
		return new FileReplicaClient(this.root,
				(operation, bytes) -> this.operations.add(operation + ":" + bytes));
	}

	@Override
	protected void putRawObject(String key, byte[] content) throws IOException {
		Path path = this.root.resolve(key);
		Files.createDirectories(path.getParent());
		Files.write(path, content);
	}

	@Override
	protected int manySegmentCount() {
		return 250;
	}

	@Test
	void writesLitestreamTree() throws IOException {
		this.client.writeSnapshot(GEN_A, 0x1a, new ByteArrayInputStream(new byte[] { 1 }));
		this.client.writeWalSegment(new Pos(GEN_A, 0x1a, 0x60b0), new ByteArrayInputStream(new byte[] { 2 }));
		assertThat(this.root.resolve("generations/0123456789abcdef/snapshots/0000001a.snapshot.lz4")).hasBinaryContent(new byte[] { 1 });
		assertThat(this.root.resolve("generations/0123456789abcdef/wal/0000001a_000060b0.wal.lz4")).hasBinaryContent(new byte[] { 2 });
		assertThat(allFiles()).hasSize(2);
	}

	@Test
	void locationIsTheAbsoluteRoot() {
		assertThat(this.client.location()).isEqualTo(this.root.toAbsolutePath().toString());
		assertThat(Path.of(this.client.location())).isAbsolute();
		assertThat(this.client.type()).isEqualTo("file");
	}

	@Test
	void createdAtIsTheFileModificationTime() throws IOException {
		this.client.writeSnapshot(GEN_A, 3, new ByteArrayInputStream(new byte[] { 1 }));
		this.client.writeWalSegment(new Pos(GEN_A, 3, 0), new ByteArrayInputStream(new byte[] { 2 }));
		Instant snapshotTime = Instant.parse("2024-01-02T03:04:05.123Z");
		Instant segmentTime = Instant.parse("2024-01-02T03:04:06Z");
		Files.setLastModifiedTime(this.root.resolve("generations/" + GEN_A + "/snapshots/00000003.snapshot.lz4"),
				FileTime.from(snapshotTime));
		Files.setLastModifiedTime(this.root.resolve("generations/" + GEN_A + "/wal/00000003_00000000.wal.lz4"),
				FileTime.from(segmentTime));
		assertThat(this.client.snapshots(GEN_A)).extracting(SnapshotInfo::createdAt).containsExactly(snapshotTime);
		assertThat(this.client.walSegments(GEN_A)).extracting(WalSegmentInfo::createdAt).containsExactly(segmentTime);
	}

	@Test
	void failedWriteLeavesNoTemporaryFile() throws IOException {
		this.client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(new byte[] { 1 }));
		assertThatIOException().isThrownBy(() -> this.client.writeSnapshot(GEN_A, 2, failingAfter(10_000)));
		assertThat(allFiles()).extracting((path) -> path.getFileName().toString())
			.containsExactly("00000001.snapshot.lz4");
	}

	@Test
	void ignoresDirectoriesNamedLikeObjectsAndFilesNamedLikeGenerations() throws IOException {
		Files.createDirectories(this.root.resolve("generations/" + GEN_A + "/snapshots/00000001.snapshot.lz4"));
		Files.createDirectories(this.root.resolve("generations/" + GEN_A + "/wal/00000001_00000000.wal.lz4"));
		Files.createDirectories(this.root.resolve("generations"));
		Files.write(this.root.resolve("generations/" + GEN_B), new byte[] { 1 });
		assertThat(this.client.snapshots(GEN_A)).isEmpty();
		assertThat(this.client.walSegments(GEN_A)).isEmpty();
		assertThat(this.client.generations()).containsExactly(GEN_A);
	}

	@Test
	void anObjectThatExistsButCannotBeReadIsNotReportedMissing() throws IOException {
		Files.createDirectories(this.root.resolve("generations/" + GEN_A + "/wal/00000001_00000000.wal.lz4"));
		assertThatIOException().isThrownBy(() -> this.client.openWalSegment(new Pos(GEN_A, 1, 0)))
			.isNotInstanceOf(ReplicaObjectNotFoundException.class);
		assertThatExceptionOfType(ReplicaObjectNotFoundException.class)
			.isThrownBy(() -> this.client.openWalSegment(new Pos(GEN_A, 2, 0)))
			.withMessageContaining("No WAL segment at ")
			.withMessageContaining("00000002_00000000.wal.lz4");
	}

	@Test
	void aWalDirectoryThatIsAFileFailsTheListing() throws IOException {
		Files.createDirectories(this.root.resolve("generations/" + GEN_A));
		Files.write(this.root.resolve("generations/" + GEN_A + "/wal"), new byte[] { 1 });
		assertThatIOException().isThrownBy(() -> this.client.walSegments(GEN_A));
	}

	@Test
	void aSegmentStampedAtTheEpochIsListed() throws IOException {
		this.client.writeWalSegment(new Pos(GEN_A, 1, 0), new ByteArrayInputStream(new byte[5]));
		Files.setLastModifiedTime(this.root.resolve("generations/" + GEN_A + "/wal/00000001_00000000.wal.lz4"),
				FileTime.fromMillis(0));
		assertThat(this.client.walSegments(GEN_A)).singleElement()
			.satisfies((segment) -> assertThat(segment.size()).isEqualTo(5))
			.satisfies((segment) -> assertThat(segment.createdAt()).isEqualTo(Instant.EPOCH));
	}

	@Test
	void objectsLargerThanOneMebibyteAreStreamedWhole() throws IOException {
		byte[] content = new byte[3 * 1024 * 1024 + 7];
		new java.util.Random(7).nextBytes(content);
		this.client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(content));
		this.client.writeWalSegment(new Pos(GEN_A, 1, 0), new ByteArrayInputStream(content));
		try (InputStream snapshot = this.client.openSnapshot(GEN_A, 1);
				InputStream segment = this.client.openWalSegment(new Pos(GEN_A, 1, 0))) {
			assertThat(snapshot.readAllBytes()).isEqualTo(content);
			assertThat(segment.readAllBytes()).isEqualTo(content);
		}
	}

	@Test
	void reportsEveryRequestWithItsBytes() throws IOException {
		this.client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(new byte[7]));
		read(this.client.openSnapshot(GEN_A, 1));
		this.client.snapshots(GEN_A);
		this.client.deleteSnapshot(GEN_A, 1);
		assertThat(this.operations).containsExactly(ReplicaOperation.PUT + ":7", ReplicaOperation.GET + ":7",
				ReplicaOperation.LIST + ":0", ReplicaOperation.DELETE + ":0");
	}

	private List<Path> allFiles() throws IOException {
		try (Stream<Path> files = Files.walk(this.root)) {
			return files.filter(Files::isRegularFile).toList();
		}
	}

}
