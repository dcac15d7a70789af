package io.github.litestream.replica;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.MutableClock;
import io.github.litestream.age.Age;
import io.github.litestream.age.AgeException;
import io.github.litestream.age.AgeIdentity;
import io.github.litestream.db.ReplicationSource;
import io.github.litestream.db.ShadowWalMissingException;
import io.github.litestream.db.ShadowWalSegment;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * {@link Replica} against a {@link ReplicationSource} made of plain files, without SQLite: what
 * it ships for each position, and how it recovers when the source no longer keeps the WAL it
 * needs. The replica never parses WAL bytes, so random bytes make every misplaced byte visible.
 */
class ReplicaWithoutDatabaseTests {

	private static final String GENERATION = "0123456789abcdef";

	@TempDir
	Path dir;

	private ShadowFiles source;

	private FileReplicaClient client;

	private Replica replica;

	private final Random random = new Random(7);

	@BeforeEach
	void setUp() throws IOException {
		this.source = new ShadowFiles(Files.createDirectories(this.dir.resolve("shadow")));
		this.client = new FileReplicaClient(this.dir.resolve("replica"));
		this.replica = new Replica(this.source, this.client, ReplicaOptions.defaults("file"));
	}

	@Test
	void shipsTheSnapshotThenEachNewRangeOnceAndFollowsNewIndexes() throws IOException {
		byte[] first = append(100);
		this.source.database = bytes(300);
		assertThat(this.replica.sync()).contains(new Pos(GENERATION, 0, 100));
		assertThat(snapshot(0)).isEqualTo(this.source.database);
		assertThat(segment(new Pos(GENERATION, 0, 0))).isEqualTo(first);

		byte[] second = append(50);
		assertThat(this.replica.sync()).contains(new Pos(GENERATION, 0, 150));
		assertThat(segment(new Pos(GENERATION, 0, 100))).isEqualTo(second);

		this.source.index = 1;
		byte[] third = append(70);
		assertThat(this.replica.sync()).contains(new Pos(GENERATION, 1, 70));
		assertThat(segment(new Pos(GENERATION, 1, 0))).isEqualTo(third);
		assertThat(this.client.walSegments(GENERATION)).hasSize(3);
		assertThat(this.client.snapshots(GENERATION)).hasSize(1);
	}

	@Test
	void aReplicaBehindTheKeptWalStartsOverFromASnapshotStoredBeforeAnyWalPastItsOldEnd() throws IOException {
		List<String> writes = new ArrayList<>();
		this.replica = new Replica(this.source, new ForwardingReplicaClient(this.client) {
			@Override
			public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
				writes.add("wal " + pos.index() + "/" + pos.offset());
				return super.writeWalSegment(pos, lz4);
			}

			@Override
			public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
				writes.add("snapshot " + index);
				return super.writeSnapshot(generation, index, lz4);
			}
		}, ReplicaOptions.defaults("file"));
		fallBehindTheKeptWal();

		// The snapshot is of a new index (3), stored before any of its WAL: until it is, the
		// replica holds its old end, never WAL past a gap that no snapshot covers.
		assertThat(this.replica.sync()).contains(new Pos(GENERATION, 3, 0));
		byte[] after = append(30);
		assertThat(this.replica.sync()).contains(new Pos(GENERATION, 3, 30));

		assertThat(writes).containsExactly("wal 0/0", "snapshot 0", "snapshot 3", "wal 3/0");
		assertThat(snapshot(3)).isEqualTo(this.source.database);
		assertThat(segment(new Pos(GENERATION, 3, 0))).isEqualTo(after);
		assertThat(this.replica.position()).contains(new Pos(GENERATION, 3, 30));
	}

	@Test
	void aCatchUpSnapshotTheStoreRefusesIsRetriedWithBackoffNotAtEverySync() throws IOException {
		MutableClock clock = new MutableClock();
		AtomicBoolean refuse = new AtomicBoolean();
		ReplicaClient refusing = new ForwardingReplicaClient(this.client) {
			@Override
			public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
				if (refuse.get()) {
					throw new IOException("Access denied (test)");
				}
				return super.writeSnapshot(generation, index, lz4);
			}
		};
		this.replica = new Replica(this.source, refusing, ReplicaOptions.defaults("file"), clock);
		fallBehindTheKeptWal();
		refuse.set(true);

		assertThatIOException().isThrownBy(this.replica::sync).withMessageContaining("Access denied");
		assertThat(this.source.index).as("the attempt started index 3").isEqualTo(3);
		// Each attempt starts an index; the next sync does not try again...
		assertThatIOException().isThrownBy(this.replica::sync)
			.withMessageContaining("waits to retry its catch-up snapshot")
			.withMessageContaining("Access denied");
		assertThat(this.source.index).isEqualTo(3);
		// ...until the sync interval passed, then twice that.
		clock.advance(ReplicaOptions.DEFAULT_SYNC_INTERVAL);
		assertThatIOException().isThrownBy(this.replica::sync).withMessageContaining("Access denied");
		assertThat(this.source.index).isEqualTo(4);
		clock.advance(ReplicaOptions.DEFAULT_SYNC_INTERVAL);
		assertThatIOException().isThrownBy(this.replica::sync).withMessageContaining("waits to retry");
		assertThat(this.source.index).isEqualTo(4);

		refuse.set(false);
		clock.advance(ReplicaOptions.DEFAULT_SYNC_INTERVAL);
		assertThat(this.replica.sync()).contains(new Pos(GENERATION, 5, 0));
		assertThat(snapshot(5)).isEqualTo(this.source.database);
		assertThat(this.replica.status().failingSince()).isNull();
	}

	@Test
	void whenNoNewIndexCanStartTheCatchUpSnapshotRestartsTheStreamAtTheCurrentIndex() throws IOException {
		byte[] kept = fallBehindTheKeptWal();
		this.source.newIndexBusy = true;

		assertThat(this.replica.sync()).contains(new Pos(GENERATION, 2, 60));

		assertThat(snapshot(2)).isEqualTo(this.source.database);
		assertThat(segment(new Pos(GENERATION, 2, 0))).isEqualTo(kept);
		assertThat(this.client.walSegments(GENERATION)).extracting(WalSegmentInfo::index).containsOnly(0L, 2L);
	}

	@Test
	void anIndexPastFourGibRewritesItsNewestSegmentRatherThanNamingAnOffsetNoNameHolds() throws IOException {
		// A sparse shadow WAL just under 4 GiB, and a replica that holds it up to 9 bytes short of
		// the largest offset a segment name holds.
		long nearEnd = Pos.MAX_INDEX - 29;
		byte[] stored = bytes(20);
		try (FileChannel wal = FileChannel.open(this.source.file(0), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
			wal.write(ByteBuffer.wrap(stored), nearEnd);
		}
		this.source.database = bytes(300);
		this.client.writeSnapshot(GENERATION, 0, Lz4.compressing(new ByteArrayInputStream(this.source.database)));
		this.client.writeWalSegment(new Pos(GENERATION, 0, nearEnd), Lz4.compressing(new ByteArrayInputStream(stored)));
		Pos last = new Pos(GENERATION, 0, nearEnd + 20);
		assertThat(this.replica.sync()).contains(last);

		// One transaction crosses 4 GiB: its segment starts below and is named as usual.
		byte[] crossing = append(100);
		assertThat(this.replica.sync()).contains(new Pos(GENERATION, 0, Pos.MAX_INDEX + 91));
		// Later commits in the same index grow that segment instead of starting one past 4 GiB.
		byte[] after = append(50);
		assertThat(this.replica.sync()).contains(new Pos(GENERATION, 0, Pos.MAX_INDEX + 141));
		assertThat(segment(last)).isEqualTo(concat(crossing, after));
		// As does a new process, which resumes from the replica.
		byte[] later = append(10);
		this.replica = new Replica(this.source, this.client, ReplicaOptions.defaults("file"));
		assertThat(this.replica.sync()).contains(new Pos(GENERATION, 0, Pos.MAX_INDEX + 151));
		assertThat(segment(last)).isEqualTo(concat(concat(crossing, after), later));

		this.source.index = 1;
		byte[] next = append(30);
		assertThat(this.replica.sync()).contains(new Pos(GENERATION, 1, 30));
		assertThat(segment(new Pos(GENERATION, 1, 0))).isEqualTo(next);
		assertThat(this.client.walSegments(GENERATION)).extracting(WalSegmentInfo::pos)
			.containsExactly(new Pos(GENERATION, 0, nearEnd), last, new Pos(GENERATION, 1, 0));
		assertThat(this.replica.status().lastError()).isNull();
	}

	@Test
	void anEncryptedReplicaWithRecipientsOnlyContinuesAfterARestartByRewritingItsNewestSegment() throws IOException {
		AgeIdentity identity = AgeIdentity.generate();
		ReplicaClient writeOnly = new AgeReplicaClient(this.client, List.of(identity.recipient()), List.of());
		byte[] first = append(100);
		this.source.database = bytes(300);
		assertThat(new Replica(this.source, writeOnly, ReplicaOptions.defaults("file")).sync())
			.contains(new Pos(GENERATION, 0, 100));
		byte[] second = append(50);

		// A new process: it cannot decrypt its newest segment to learn where it ends.
		assertThat(new Replica(this.source, writeOnly, ReplicaOptions.defaults("file")).sync())
			.contains(new Pos(GENERATION, 0, 150));

		this.client = new FileReplicaClient(this.dir.resolve("replica"));
		ReplicaClient reader = new AgeReplicaClient(this.client, List.of(identity.recipient()), List.of(identity));
		assertThat(reader.walSegments(GENERATION)).extracting(WalSegmentInfo::pos)
			.containsExactly(new Pos(GENERATION, 0, 0));
		try (InputStream in = Lz4.decompress(reader.openWalSegment(new Pos(GENERATION, 0, 0)))) {
			assertThat(in.readAllBytes()).isEqualTo(concat(first, second));
		}
	}

	@Test
	void aReplicaWhoseKeysWereRemovedFailsRatherThanRewritingAnEncryptedSegmentUnencrypted() throws IOException {
		AgeIdentity identity = AgeIdentity.generate();
		append(100);
		this.source.database = bytes(300);
		new Replica(this.source, new AgeReplicaClient(this.client, List.of(identity.recipient()), List.of()),
				ReplicaOptions.defaults("file")).sync();
		append(50);
		Replica plain = new Replica(this.source, this.client, ReplicaOptions.defaults("file"));
		org.assertj.core.api.Assertions.assertThatExceptionOfType(AgeException.class)
			.isThrownBy(plain::sync)
			.withMessageContaining("encrypted with age");
		assertThat(plain.status().lastError()).contains("encrypted with age");
		try (InputStream in = this.client.openWalSegment(new Pos(GENERATION, 0, 0))) {
			assertThat(Age.isAgeFile(in.readNBytes(Age.magicLength()))).isTrue();
		}
	}

	/**
	 * Ships index 0, then moves the source on two indexes without keeping the rest of index 0,
	 * with a new database file.
	 * @return the bytes of index 2
	 */
	private byte[] fallBehindTheKeptWal() throws IOException {
		append(100);
		this.source.database = bytes(300);
		this.replica.sync();
		append(40);
		this.source.index = 2;
		byte[] kept = append(60);
		Files.delete(this.source.file(0));
		this.source.database = bytes(400);
		return kept;
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, both, a.length, b.length);
		return both;
	}

	private byte[] append(int length) throws IOException {
		byte[] bytes = bytes(length);
		Files.write(this.source.file(this.source.index), bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		return bytes;
	}

	private byte[] bytes(int length) {
		byte[] bytes = new byte[length];
		this.random.nextBytes(bytes);
		return bytes;
	}

	private byte[] snapshot(long index) throws IOException {
		try (InputStream in = Lz4.decompress(this.client.openSnapshot(GENERATION, index))) {
			return in.readAllBytes();
		}
	}

	private byte[] segment(Pos pos) throws IOException {
		try (InputStream in = Lz4.decompress(this.client.openWalSegment(pos))) {
			return in.readAllBytes();
		}
	}

	/** A source whose shadow WAL is one file per index and whose database is a byte array. */
	private static final class ShadowFiles implements ReplicationSource {

		private final Path dir;

		long index;

		byte[] database = new byte[0];

		boolean newIndexBusy;

		ShadowFiles(Path dir) {
			this.dir = dir;
		}

		Path file(long index) {
			return this.dir.resolve(Pos.hex(index) + ".wal");
		}

		@Override
		public Path path() {
			return this.dir.resolve("app.db");
		}

		@Override
		public Optional<Pos> position() {
			try {
				return Optional.of(new Pos(GENERATION, this.index, Files.size(file(this.index))));
			}
			catch (IOException ex) {
				return Optional.empty();
			}
		}

		@Override
		public Optional<ShadowWalSegment> pendingWal(Pos from) throws IOException {
			long index = from.index();
			long offset = from.offset();
			long end = endOf(index);
			if (offset == end && index < this.index) {
				index++;
				offset = 0;
				end = endOf(index);
			}
			return (offset == end) ? Optional.empty()
					: Optional.of(new ShadowWalSegment(new Pos(GENERATION, index, offset), end - offset, file(index)));
		}

		private long endOf(long index) throws IOException {
			try {
				return Files.size(file(index));
			}
			catch (NoSuchFileException ex) {
				throw new ShadowWalMissingException(file(index) + " is no longer kept");
			}
		}

		@Override
		public <T> T snapshot(SnapshotConsumer<T> consumer) throws IOException {
			return consumer.accept(position().orElseThrow(), new ByteArrayInputStream(this.database));
		}

		@Override
		public <T> T snapshotAtNewIndex(SnapshotConsumer<T> consumer) throws IOException {
			if (this.newIndexBusy) {
				throw new IOException("Could not start a new WAL index (test: busy)");
			}
			this.index++;
			Files.write(file(this.index), new byte[0]);
			return consumer.accept(new Pos(GENERATION, this.index, 0), new ByteArrayInputStream(this.database));
		}

		@Override
		public DatabaseChecksum checksumAtNewIndex() {
			throw new UnsupportedOperationException("not used by these tests");
		}

		@Override
		public void startNewIndex() {
			throw new UnsupportedOperationException("not used by these tests");
		}

		@Override
		public void requestNewGeneration(String reason) {
			throw new UnsupportedOperationException("not used by these tests");
		}

	}

}
