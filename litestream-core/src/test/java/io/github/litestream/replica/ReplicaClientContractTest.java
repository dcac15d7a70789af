package io.github.litestream.replica;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * The behaviour every {@link ReplicaClient} backend must share. A backend's test extends this
 * class, supplies a fresh, empty replica per test and a way to put a raw object at a key, and
 * adds its own backend-specific tests.
 */
public abstract class ReplicaClientContractTest {

	protected static final String GEN_A = "0123456789abcdef";

	protected static final String GEN_B = "fedcba9876543210";

	private final Random random = new Random(42);

	protected ReplicaClient client;

	/**
	 * Creates a client on a fresh, empty replica.
	 * @return the client
	 * @throws Exception if the backend cannot be prepared
	 */
	protected abstract ReplicaClient createClient() throws Exception;

	/**
	 * Stores bytes under a key relative to the replica's root, bypassing the client, to
	 * simulate objects the client did not write (stray files, other tools).
	 * @param key the relative key, such as {@code generations/x/snapshots/y}
	 * @param content the bytes
	 * @throws Exception if the object cannot be stored
	 */
	protected abstract void putRawObject(String key, byte[] content) throws Exception;

	/**
	 * How many WAL segments {@link #deletesManyWalSegments()} writes and deletes; S3 backends
	 * need more than one delete batch (1,000 keys).
	 * @return the number of segments
	 */
	protected int manySegmentCount() {
		return 1001;
	}

	/**
	 * The size a backend reports for an object written from {@code written} bytes: the same
	 * for a plain backend; more for one that encrypts.
	 * @param written the bytes passed to the write method
	 * @return the size listings report
	 */
	protected long storedSize(int written) {
		return written;
	}

	@BeforeEach
	void createReplicaClient() throws Exception {
		this.client = createClient();
	}

	@AfterEach
	void closeReplicaClient() throws IOException {
		if (this.client != null) {
			this.client.close();
		}
	}

	@Test
	void emptyReplicaListsNothing() throws IOException {
		assertThat(this.client.generations()).isEmpty();
		assertThat(this.client.snapshots(GEN_A)).isEmpty();
		assertThat(this.client.walSegments(GEN_A)).isEmpty();
	}

	@Test
	void writesListsAndReadsSnapshots() throws IOException {
		byte[] first = randomBytes(1000);
		byte[] second = randomBytes(70_000);
		SnapshotInfo written = this.client.writeSnapshot(GEN_A, 0x1a, new ByteArrayInputStream(second));
		this.client.writeSnapshot(GEN_A, 2, new ByteArrayInputStream(first));
		assertThat(written.generation()).isEqualTo(GEN_A);
		assertThat(written.index()).isEqualTo(0x1a);
		assertThat(written.size()).isEqualTo(storedSize(second.length));
		assertThat(written.createdAt()).isNotNull();
		List<SnapshotInfo> snapshots = this.client.snapshots(GEN_A);
		assertThat(snapshots).extracting(SnapshotInfo::index).containsExactly(2L, 0x1aL);
		assertThat(snapshots).extracting(SnapshotInfo::size).containsExactly(storedSize(first.length), storedSize(second.length));
		assertThat(snapshots).allSatisfy((snapshot) -> assertThat(snapshot.createdAt()).isNotNull());
		assertThat(read(this.client.openSnapshot(GEN_A, 2))).isEqualTo(first);
		assertThat(read(this.client.openSnapshot(GEN_A, 0x1a))).isEqualTo(second);
		assertThat(this.client.generations()).containsExactly(GEN_A);
	}

	@Test
	void writesListsAndReadsWalSegmentsSortedByIndexThenOffset() throws IOException {
		List<Pos> order = List.of(new Pos(GEN_A, 0x10, 0), new Pos(GEN_A, 2, 0x60b0), new Pos(GEN_A, 2, 0),
				new Pos(GEN_A, 2, 0x1038), new Pos(GEN_A, 0xa, 0x20));
		List<byte[]> contents = new ArrayList<>();
		for (Pos pos : order) {
			byte[] content = randomBytes(100 + contents.size());
			contents.add(content);
			WalSegmentInfo info = this.client.writeWalSegment(pos, new ByteArrayInputStream(content));
			assertThat(info.pos()).isEqualTo(pos);
			assertThat(info.size()).isEqualTo(storedSize(content.length));
		}
		assertThat(this.client.walSegments(GEN_A)).extracting(WalSegmentInfo::pos)
			.containsExactly(new Pos(GEN_A, 2, 0), new Pos(GEN_A, 2, 0x1038), new Pos(GEN_A, 2, 0x60b0),
					new Pos(GEN_A, 0xa, 0x20), new Pos(GEN_A, 0x10, 0));
		for (int i = 0; i < order.size(); i++) {
			assertThat(read(this.client.openWalSegment(order.get(i)))).isEqualTo(contents.get(i));
		}
	}

	@Test
	void listsGenerationsSortedAndIgnoresJunkNames() throws Exception {
		this.client.writeSnapshot(GEN_B, 0, new ByteArrayInputStream(randomBytes(10)));
		this.client.writeWalSegment(new Pos(GEN_A, 0, 0), new ByteArrayInputStream(randomBytes(10)));
		putRawObject("generations/0123456789ABCDEF/snapshots/00000000.snapshot.lz4", randomBytes(5));
		putRawObject("generations/0123456789abcde/snapshots/00000000.snapshot.lz4", randomBytes(5));
		putRawObject("generations/0123456789abcdef0/snapshots/00000000.snapshot.lz4", randomBytes(5));
		putRawObject("generations/not-a-generation/wal/00000000_00000000.wal.lz4", randomBytes(5));
		putRawObject("generations/.tmp-0123456789abcdef/snapshots/00000000.snapshot.lz4", randomBytes(5));
		assertThat(this.client.generations()).containsExactly(GEN_A, GEN_B);
	}

	@Test
	void listingIgnoresJunkSnapshotAndSegmentNames() throws Exception {
		this.client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(randomBytes(10)));
		this.client.writeWalSegment(new Pos(GEN_A, 1, 0), new ByteArrayInputStream(randomBytes(10)));
		String snapshots = "generations/" + GEN_A + "/snapshots/";
		String wal = "generations/" + GEN_A + "/wal/";
		for (String junk : List.of("0000002.snapshot.lz4", "0000000A.snapshot.lz4", "00000002.snapshot.lz4.tmp",
				"00000002.snapshot", "x00000002.snapshot.lz4", "00000002_00000000.wal.lz4")) {
			putRawObject(snapshots + junk, randomBytes(5));
		}
		for (String junk : List.of("00000002_0000000.wal.lz4", "00000002_0000000A.wal.lz4",
				"00000002_00000000.wal.lz4.tmp", "00000002-00000000.wal.lz4", "00000002.snapshot.lz4",
				".00000002_00000000.wal.lz4")) {
			putRawObject(wal + junk, randomBytes(5));
		}
		assertThat(this.client.snapshots(GEN_A)).extracting(SnapshotInfo::index).containsExactly(1L);
		assertThat(this.client.walSegments(GEN_A)).extracting(WalSegmentInfo::pos).containsExactly(new Pos(GEN_A, 1, 0));
	}

	@Test
	void readingMissingObjectsThrowsNotFoundNamingTheObject() throws IOException {
		assertThatExceptionOfType(ReplicaObjectNotFoundException.class)
			.isThrownBy(() -> this.client.openSnapshot(GEN_A, 0x2b))
			.withMessageContaining(GEN_A)
			.withMessageContaining("0000002b.snapshot.lz4");
		this.client.writeWalSegment(new Pos(GEN_A, 3, 0), new ByteArrayInputStream(randomBytes(10)));
		assertThatExceptionOfType(ReplicaObjectNotFoundException.class)
			.isThrownBy(() -> this.client.openWalSegment(new Pos(GEN_A, 3, 0x1038)))
			.withMessageContaining(GEN_A)
			.withMessageContaining("00000003_00001038.wal.lz4");
	}

	@Test
	void rejectsInvalidGenerationNames() {
		for (String bad : List.of("../../etc/passwd", "0123456789ABCDEF", "0123", "")) {
			assertThatIllegalArgumentException().isThrownBy(() -> this.client.snapshots(bad));
			assertThatIllegalArgumentException().isThrownBy(() -> this.client.walSegments(bad));
			assertThatIllegalArgumentException()
				.isThrownBy(() -> this.client.writeSnapshot(bad, 0, new ByteArrayInputStream(new byte[1])));
			assertThatIllegalArgumentException().isThrownBy(() -> this.client.deleteGeneration(bad));
		}
	}

	@Test
	void overwritesSnapshotAtTheSameIndex() throws IOException {
		this.client.writeSnapshot(GEN_A, 5, new ByteArrayInputStream(randomBytes(300)));
		byte[] replacement = randomBytes(120);
		this.client.writeSnapshot(GEN_A, 5, new ByteArrayInputStream(replacement));
		assertThat(this.client.snapshots(GEN_A)).singleElement()
			.satisfies((snapshot) -> assertThat(snapshot.size()).isEqualTo(storedSize(replacement.length)));
		assertThat(read(this.client.openSnapshot(GEN_A, 5))).isEqualTo(replacement);
	}

	@Test
	void deletesSnapshotsAndIgnoresMissingOnes() throws IOException {
		this.client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(randomBytes(10)));
		this.client.writeSnapshot(GEN_A, 2, new ByteArrayInputStream(randomBytes(10)));
		this.client.deleteSnapshot(GEN_A, 1);
		this.client.deleteSnapshot(GEN_A, 7);
		assertThat(this.client.snapshots(GEN_A)).extracting(SnapshotInfo::index).containsExactly(2L);
		assertThatExceptionOfType(ReplicaObjectNotFoundException.class)
			.isThrownBy(() -> this.client.openSnapshot(GEN_A, 1));
	}

	@Test
	void deletesManyWalSegments() throws IOException {
		int count = manySegmentCount();
		List<Pos> written = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			Pos pos = new Pos(GEN_A, i / 3, (i % 3) * 0x1038L);
			this.client.writeWalSegment(pos, new ByteArrayInputStream(new byte[] { (byte) i }));
			written.add(pos);
		}
		Pos kept = written.get(count - 1);
		List<Pos> toDelete = new ArrayList<>(written.subList(0, count - 1));
		toDelete.add(new Pos(GEN_A, 0x7fff, 0));
		this.client.deleteWalSegments(toDelete);
		assertThat(this.client.walSegments(GEN_A)).extracting(WalSegmentInfo::pos).containsExactly(kept);
	}

	@Test
	void deletesWholeGenerationOnly() throws IOException {
		this.client.writeSnapshot(GEN_A, 0, new ByteArrayInputStream(randomBytes(10)));
		this.client.writeWalSegment(new Pos(GEN_A, 0, 0), new ByteArrayInputStream(randomBytes(10)));
		this.client.writeSnapshot(GEN_B, 0, new ByteArrayInputStream(randomBytes(10)));
		this.client.writeWalSegment(new Pos(GEN_B, 0, 0), new ByteArrayInputStream(randomBytes(10)));
		this.client.deleteGeneration(GEN_A);
		this.client.deleteGeneration("00000000000000ff");
		assertThat(this.client.generations()).containsExactly(GEN_B);
		assertThat(this.client.snapshots(GEN_A)).isEmpty();
		assertThat(this.client.walSegments(GEN_A)).isEmpty();
		assertThat(this.client.snapshots(GEN_B)).hasSize(1);
		assertThat(this.client.walSegments(GEN_B)).hasSize(1);
	}

	@Test
	void failedWriteLeavesNoVisibleObject() throws IOException {
		byte[] original = randomBytes(64);
		this.client.writeSnapshot(GEN_A, 1, new ByteArrayInputStream(original));
		assertThatIOException().isThrownBy(() -> this.client.writeSnapshot(GEN_A, 2, failingAfter(50_000)));
		assertThatIOException().isThrownBy(() -> this.client.writeSnapshot(GEN_A, 1, failingAfter(50_000)));
		assertThatIOException()
			.isThrownBy(() -> this.client.writeWalSegment(new Pos(GEN_A, 1, 0), failingAfter(50_000)));
		assertThat(this.client.snapshots(GEN_A)).extracting(SnapshotInfo::index).containsExactly(1L);
		assertThat(read(this.client.openSnapshot(GEN_A, 1))).isEqualTo(original);
		assertThat(this.client.walSegments(GEN_A)).isEmpty();
		assertThatExceptionOfType(ReplicaObjectNotFoundException.class)
			.isThrownBy(() -> this.client.openWalSegment(new Pos(GEN_A, 1, 0)));
	}

	@Test
	void describesItsLocationAndType() {
		assertThat(this.client.type()).isNotBlank();
		assertThat(this.client.location()).isNotBlank();
	}

	protected byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		this.random.nextBytes(bytes);
		return bytes;
	}

	protected static byte[] read(InputStream in) throws IOException {
		try (in) {
			return in.readAllBytes();
		}
	}

	/**
	 * A stream that yields {@code length} bytes and then fails, like a connection dropped
	 * in the middle of an upload.
	 * @param length bytes delivered before the failure
	 * @return the stream
	 */
	protected static InputStream failingAfter(int length) {
		return new InputStream() {

			private int delivered;

			@Override
			public int read() throws IOException {
				if (this.delivered >= length) {
					throw new IOException("simulated failure after " + length + " bytes");
				}
				this.delivered++;
				return 0x5a;
			}

		};
	}

}
