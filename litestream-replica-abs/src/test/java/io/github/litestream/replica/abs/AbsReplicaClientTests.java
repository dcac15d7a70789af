package io.github.litestream.replica.abs;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.RecordingOperationListener;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaClientContractTest;
import io.github.litestream.replica.ReplicaObjectNotFoundException;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link AbsReplicaClient} against Azurite: the backend contract shared with every replica, and
 * what Azure adds (the layout under a path, paging, block uploads, request counting, a missing
 * container).
 */
class AbsReplicaClientTests extends ReplicaClientContractTest {

	@RegisterExtension
	static final AzuriteServer azurite = new AzuriteServer();

	static final String GEN = GEN_A;

	static final String PATH = "backups/app";

	static final int BLOCK_SIZE = 64 * 1024;

	static final int PAGE_SIZE = 100;

	final RecordingOperationListener operations = new RecordingOperationListener();

	String containerName;

	BlobContainerClient container;

	@Override
	protected ReplicaClient createClient() {
		this.containerName = azurite.createContainer();
		AbsReplicaConfig config = azurite.config(this.containerName, PATH).build();
		this.container = AbsClientFactory.withDefaults().create(config);
		return new AbsReplicaClient(this.container, config, this.operations, BLOCK_SIZE, PAGE_SIZE);
	}

	@Override
	protected void putRawObject(String key, byte[] content) {
		this.container.getBlobClient(PATH + "/" + key).upload(BinaryData.fromBytes(content), true);
	}

	@Override
	protected int manySegmentCount() {
		return 3 * PAGE_SIZE + 7;
	}

	@Test
	void writesAndReadsSnapshotsAndSegmentsInLitestreamLayout() throws IOException {
		byte[] snapshot = bytes(1000, 1);
		byte[] segment = bytes(300, 2);
		SnapshotInfo written = this.client.writeSnapshot(GEN, 1, new ByteArrayInputStream(snapshot));
		this.client.writeWalSegment(new Pos(GEN, 1, 0), new ByteArrayInputStream(segment));
		this.client.writeWalSegment(new Pos(GEN, 1, 4152), new ByteArrayInputStream(segment));

		assertThat(written.size()).isEqualTo(snapshot.length);
		assertThat(names()).containsExactlyInAnyOrder("backups/app/generations/" + GEN + "/snapshots/00000001.snapshot.lz4",
				"backups/app/generations/" + GEN + "/wal/00000001_00000000.wal.lz4",
				"backups/app/generations/" + GEN + "/wal/00000001_00001038.wal.lz4");
		assertThat(this.client.snapshots(GEN)).singleElement().satisfies((info) -> {
			assertThat(info.size()).isEqualTo(snapshot.length);
			assertThat(info.createdAt()).isAfter(java.time.Instant.now().minusSeconds(60));
		});
		try (InputStream in = this.client.openWalSegment(new Pos(GEN, 1, 4152))) {
			assertThat(in.readAllBytes()).isEqualTo(segment);
		}
		assertThat(this.client.location()).isEqualTo("abs://devstoreaccount1@" + this.containerName + "/backups/app");
	}

	@Test
	void namesHaveNoLeadingSlashWhenPathIsEmpty() throws IOException {
		AbsReplicaConfig atRoot = azurite.config(this.containerName, "/").build();
		AbsReplicaClient client = new AbsReplicaClient(this.container, atRoot, this.operations);
		client.writeWalSegment(new Pos(GEN, 0, 0), new ByteArrayInputStream(bytes(10, 3)));

		assertThat(names()).containsExactly("generations/" + GEN + "/wal/00000000_00000000.wal.lz4");
		assertThat(client.generations()).containsExactly(GEN);
		assertThat(client.location()).isEqualTo("abs://devstoreaccount1@" + this.containerName);
	}

	@Test
	void listingsIgnoreBlobsThatAreNotPartOfTheLayout() throws IOException {
		put("backups/app/generations/not-a-generation/wal/00000000_00000000.wal.lz4");
		put("backups/app/generations/" + GEN + "/wal/00000000_00000000.wal.lz4.tmp");
		put("backups/app/generations/" + GEN + "/wal/sub/00000000_00000000.wal.lz4");
		put("backups/app/generations/" + GEN + "/snapshots/00000001.snapshot");
		put("backups/app/generations/" + GEN + "/snapshots/00000002.snapshot.lz4");
		put("backups/app/generations/" + GEN_B + "/wal/00000000_00000000.wal.lz4");
		put("backups/other/generations/1111111111111111/wal/00000000_00000000.wal.lz4");

		assertThat(this.client.generations()).containsExactly(GEN, GEN_B);
		assertThat(this.client.walSegments(GEN)).isEmpty();
		assertThat(this.client.snapshots(GEN)).extracting(SnapshotInfo::index).containsExactly(2L);
	}

	@Test
	void listsTheDatabasesThatDirectoryReplicationStoredBelowItsPath() throws IOException {
		String segment = "/generations/" + GEN + "/wal/00000000/00000000.wal.lz4";
		for (String database : new String[] { "b.db", "a.db", "eu/c.db", "eu/west/d.db" }) {
			putRawObject(database + segment, new byte[] { 1 });
		}
		// The root's own backups and a stray blob are not databases.
		putRawObject("generations/" + GEN + "/snapshots/00000000.snapshot.lz4", new byte[] { 1 });
		putRawObject("x/readme", new byte[] { 1 });
		assertThat(this.client.databasesBelow(false)).containsExactly("a.db", "b.db");
		assertThat(this.client.databasesBelow(true)).containsExactly("a.db", "b.db", "eu/c.db", "eu/west/d.db");
	}

	@Test
	void pagesThroughListings() throws IOException {
		List<Pos> written = new ArrayList<>();
		for (int i = 0; i < 2 * PAGE_SIZE + 3; i++) {
			Pos pos = new Pos(GEN, i / 50, (i % 50) * 4120L);
			this.client.writeWalSegment(pos, new ByteArrayInputStream(bytes(16, i)));
			written.add(pos);
		}
		this.operations.reset();

		assertThat(this.client.walSegments(GEN)).extracting(WalSegmentInfo::pos).containsExactlyElementsOf(written);
		assertThat(this.operations.count(ReplicaOperation.LIST)).isEqualTo(3);
	}

	@Test
	void uploadsSnapshotLargerThanABlockInBlocksAndReadsItBack() throws IOException {
		byte[] snapshot = bytes(2 * BLOCK_SIZE + 12_345, 7);

		SnapshotInfo written = this.client.writeSnapshot(GEN, 3, new ByteArrayInputStream(snapshot));

		assertThat(written.size()).isEqualTo(snapshot.length);
		// 3 blocks, then the commit
		assertThat(this.operations.count(ReplicaOperation.PUT)).isEqualTo(4);
		assertThat(this.operations.bytes(ReplicaOperation.PUT)).isEqualTo(snapshot.length);
		try (InputStream in = this.client.openSnapshot(GEN, 3)) {
			assertThat(in.readAllBytes()).isEqualTo(snapshot);
		}
		assertThat(this.client.snapshots(GEN)).extracting(SnapshotInfo::size).containsExactly((long) snapshot.length);
	}

	@Test
	void uploadsSnapshotOfExactlyOneBlockWithOnePut() throws IOException {
		byte[] snapshot = bytes(BLOCK_SIZE, 8);

		this.client.writeSnapshot(GEN, 4, new ByteArrayInputStream(snapshot));

		assertThat(this.operations.count(ReplicaOperation.PUT)).isEqualTo(1);
		try (InputStream in = this.client.openSnapshot(GEN, 4)) {
			assertThat(in.readAllBytes()).isEqualTo(snapshot);
		}
	}

	@Test
	void readsBlobsLargerThanOneReadBlock() throws IOException {
		byte[] snapshot = bytes(AbsReplicaClient.READ_BLOCK_SIZE + 4321, 12);
		this.client.writeSnapshot(GEN, 6, new ByteArrayInputStream(snapshot));
		this.operations.reset();

		try (InputStream in = this.client.openSnapshot(GEN, 6)) {
			assertThat(in.readAllBytes()).isEqualTo(snapshot);
		}
		assertThat(this.operations.bytes(ReplicaOperation.GET)).isEqualTo(snapshot.length);
	}

	@Test
	void failedUploadMidStreamLeavesNoBlobAndKeepsTheOldOne() throws IOException {
		byte[] old = bytes(100, 13);
		this.client.writeSnapshot(GEN, 5, new ByteArrayInputStream(old));
		InputStream failing = new FailingInputStream(bytes(3 * BLOCK_SIZE, 9), BLOCK_SIZE + BLOCK_SIZE / 2);

		assertThatExceptionOfType(IOException.class).isThrownBy(() -> this.client.writeSnapshot(GEN, 5, failing))
			.withMessageContaining("disk went away");

		try (InputStream in = this.client.openSnapshot(GEN, 5)) {
			assertThat(in.readAllBytes()).isEqualTo(old);
		}
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> this.client.writeSnapshot(GEN, 7, new FailingInputStream(bytes(3 * BLOCK_SIZE, 9), 10)));
		assertThat(this.client.snapshots(GEN)).extracting(SnapshotInfo::index).containsExactly(5L);
	}

	@Test
	void openingAMissingBlobNamesContainerAndBlob() {
		assertThatExceptionOfType(ReplicaObjectNotFoundException.class)
			.isThrownBy(() -> this.client.openWalSegment(new Pos(GEN, 9, 0)))
			.withMessageContaining(this.containerName)
			.withMessageContaining("backups/app/generations/" + GEN + "/wal/00000009_00000000.wal.lz4");
	}

	@Test
	void reportsEveryRequestByOperationWithPayloadBytes() throws IOException {
		Pos pos = new Pos(GEN, 2, 32);
		this.client.writeWalSegment(pos, new ByteArrayInputStream(bytes(1234, 10)));
		this.client.walSegments(GEN);
		try (InputStream in = this.client.openWalSegment(pos)) {
			in.readAllBytes();
		}
		this.client.deleteWalSegments(List.of(pos));

		assertThat(this.operations.count(ReplicaOperation.PUT)).isEqualTo(1);
		assertThat(this.operations.bytes(ReplicaOperation.PUT)).isEqualTo(1234);
		assertThat(this.operations.count(ReplicaOperation.LIST)).isEqualTo(1);
		assertThat(this.operations.count(ReplicaOperation.GET)).isEqualTo(1);
		assertThat(this.operations.bytes(ReplicaOperation.GET)).isEqualTo(1234);
		assertThat(this.operations.count(ReplicaOperation.DELETE)).isEqualTo(1);
	}

	@Test
	void missingContainerNamesTheContainerAndTheSettingToFix() {
		String missing = "missing-" + this.containerName;
		AbsReplicaConfig config = azurite.config(missing, PATH).build();
		AbsReplicaClient client = new AbsReplicaClient(AbsClientFactory.withDefaults().create(config), config,
				this.operations);

		assertThatExceptionOfType(AbsReplicaException.class).isThrownBy(client::generations)
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(AbsReplicaException.Reason.NO_SUCH_CONTAINER))
			.withMessageContaining("abs://devstoreaccount1@" + missing + "/backups/app")
			.withMessageContaining("container '" + missing + "' does not exist")
			.withMessageContaining("'bucket'");
		assertThatExceptionOfType(AbsReplicaException.class)
			.isThrownBy(() -> client.writeWalSegment(new Pos(GEN, 0, 0), new ByteArrayInputStream(bytes(10, 1))))
			.withMessageContaining("'bucket'");
	}

	List<String> names() {
		return this.container.listBlobs(new ListBlobsOptions().setDetails(new BlobListDetails()), null)
			.stream()
			.map(BlobItem::getName)
			.toList();
	}

	void put(String name) {
		this.container.getBlobClient(name).upload(BinaryData.fromBytes(new byte[] { 1 }), true);
	}

	@Test
	void twoUploadsOfOneBlobNeverMixTheirBlocks() throws IOException {
		byte[] first = bytes(3 * BLOCK_SIZE, 11);
		byte[] second = bytes(3 * BLOCK_SIZE, 12);
		// Once the first upload staged its first block, a second upload of the same snapshot (a
		// paused former primary's, say) runs to its commit.
		InputStream interleaved = new FilterInputStream(new ByteArrayInputStream(first)) {

			long position;

			boolean secondRan;

			@Override
			public int read() throws IOException {
				interleave();
				int next = super.read();
				this.position += (next >= 0) ? 1 : 0;
				return next;
			}

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				interleave();
				int read = super.read(buffer, offset, length);
				this.position += Math.max(read, 0);
				return read;
			}

			private void interleave() throws IOException {
				if (this.position > BLOCK_SIZE && !this.secondRan) {
					this.secondRan = true;
					AbsReplicaClientTests.this.client.writeSnapshot(GEN, 1, new ByteArrayInputStream(second));
				}
			}

		};
		try {
			this.client.writeSnapshot(GEN, 1, interleaved);
		}
		catch (IOException ex) {
			// Its blocks went with the second commit: failing is right, mixing is not.
		}
		byte[] stored;
		try (InputStream in = this.client.openSnapshot(GEN, 1)) {
			stored = in.readAllBytes();
		}
		assertThat(stored).satisfiesAnyOf((bytes) -> assertThat(bytes).isEqualTo(first),
				(bytes) -> assertThat(bytes).isEqualTo(second));
	}

	@Test
	void aSmallSegmentDoesNotCostAWholeBlockOfHeap() throws IOException {
		AbsReplicaClient client = new AbsReplicaClient(this.container, azurite.config(this.containerName, PATH).build(),
				this.operations);
		assertThat(AbsBlockUploader.DEFAULT_BLOCK_SIZE).isGreaterThanOrEqualTo(8 * 1024 * 1024);
		client.writeWalSegment(new Pos(GEN, 1, 0), new ByteArrayInputStream(bytes(4096, 13)));
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
			.getThreadMXBean();
		long before = threads.getCurrentThreadAllocatedBytes();
		client.writeWalSegment(new Pos(GEN, 1, 4096), new ByteArrayInputStream(bytes(4096, 14)));
		long allocated = threads.getCurrentThreadAllocatedBytes() - before;
		assertThat(allocated).as("bytes allocated to write 4 KiB").isLessThan(AbsBlockUploader.DEFAULT_BLOCK_SIZE / 2);
	}

	static byte[] bytes(int length, long seed) {
		byte[] data = new byte[length];
		new Random(seed).nextBytes(data);
		return data;
	}

	/** A stream that fails after some bytes, like a database file that cannot be read further. */
	static final class FailingInputStream extends FilterInputStream {

		private long remaining;

		FailingInputStream(byte[] data, long failAfter) {
			super(new ByteArrayInputStream(data));
			this.remaining = failAfter;
		}

		@Override
		public int read() throws IOException {
			check(1);
			this.remaining--;
			return super.read();
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			check(length);
			int read = super.read(buffer, offset, (int) Math.min(length, this.remaining));
			this.remaining -= Math.max(read, 0);
			return read;
		}

		private void check(int wanted) throws IOException {
			if (this.remaining <= 0 && wanted > 0) {
				throw new IOException("disk went away");
			}
		}

	}

}
