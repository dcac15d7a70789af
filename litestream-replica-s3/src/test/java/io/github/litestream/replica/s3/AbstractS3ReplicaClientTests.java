package io.github.litestream.replica.s3;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.RecordingOperationListener;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaClientContractTest;
import io.github.litestream.replica.ReplicaObjectNotFoundException;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What every S3-compatible store must do with {@link S3ReplicaClient}: the backend contract
 * shared with the file replica, plus S3's own concerns (key layout under a path, pagination,
 * batch deletes, multipart uploads, request counting). The S3Proxy and MinIO test classes run
 * these against a real server.
 */
abstract class AbstractS3ReplicaClientTests extends ReplicaClientContractTest {

	static final String GEN = GEN_A;

	static final String OTHER_GEN = GEN_B;

	static final String PATH = "backups/app";

	static final int PART_SIZE = S3StreamingUploader.MIN_PART_SIZE;

	final S3ClientFactory factory = S3ClientFactory.builder().environment((name) -> null).build();

	final RecordingOperationListener operations = new RecordingOperationListener();

	String bucket;

	S3Client s3;

	/**
	 * Creates an empty bucket on the server.
	 * @return its name
	 */
	abstract String createBucket();

	/**
	 * A configuration for the server, with working credentials.
	 * @param bucket the bucket
	 * @param path the key prefix
	 * @return the configuration
	 */
	abstract S3ReplicaConfig config(String bucket, String path);

	@Override
	protected ReplicaClient createClient() {
		this.bucket = createBucket();
		S3ReplicaConfig config = config(this.bucket, PATH);
		this.s3 = this.factory.create(config);
		return new S3ReplicaClient(this.s3, config, this.operations, PART_SIZE);
	}

	@Override
	protected void putRawObject(String key, byte[] content) {
		this.s3.putObject((request) -> request.bucket(this.bucket).key(PATH + "/" + key), RequestBody.fromBytes(content));
	}

	@AfterEach
	void closeS3Client() {
		if (this.s3 != null) {
			this.s3.close();
		}
	}

	@Test
	void listsTheDatabasesThatDirectoryReplicationStoredBelowItsPath() throws IOException {
		for (String database : new String[] { "a.db", "b.db", "eu/c.db", "eu/west/d.db" }) {
			S3ReplicaConfig config = config(this.bucket, PATH + "/" + database);
			new S3ReplicaClient(this.s3, config, this.operations).writeWalSegment(new Pos(GEN, 0, 0),
					new ByteArrayInputStream(bytes(10, 1)));
		}
		this.s3.putObject((request) -> request.bucket(this.bucket).key(PATH + "/eu/readme.txt"), RequestBody.fromString("x"));
		assertThat(this.client.databasesBelow(false)).containsExactly("a.db", "b.db");
		assertThat(this.client.databasesBelow(true)).containsExactly("a.db", "b.db", "eu/c.db", "eu/west/d.db");
	}

	@Test
	void writesAndReadsSnapshotsAndSegmentsInLitestreamLayout() throws IOException {
		byte[] snapshot = bytes(1000, 1);
		byte[] segment = bytes(300, 2);
		SnapshotInfo written = this.client.writeSnapshot(GEN, 1, new ByteArrayInputStream(snapshot));
		this.client.writeWalSegment(new Pos(GEN, 1, 0), new ByteArrayInputStream(segment));
		this.client.writeWalSegment(new Pos(GEN, 1, 4152), new ByteArrayInputStream(segment));

		assertThat(written.size()).isEqualTo(snapshot.length);
		assertThat(keys("")).containsExactlyInAnyOrder("backups/app/generations/" + GEN + "/snapshots/00000001.snapshot.lz4",
				"backups/app/generations/" + GEN + "/wal/00000001_00000000.wal.lz4",
				"backups/app/generations/" + GEN + "/wal/00000001_00001038.wal.lz4");
		assertThat(this.client.generations()).containsExactly(GEN);
		assertThat(this.client.snapshots(GEN)).singleElement().satisfies((info) -> {
			assertThat(info.index()).isEqualTo(1);
			assertThat(info.size()).isEqualTo(snapshot.length);
			assertThat(info.createdAt()).isNotNull();
		});
		assertThat(this.client.walSegments(GEN)).extracting(WalSegmentInfo::pos)
			.containsExactly(new Pos(GEN, 1, 0), new Pos(GEN, 1, 4152));
		try (InputStream in = this.client.openSnapshot(GEN, 1)) {
			assertThat(in.readAllBytes()).isEqualTo(snapshot);
		}
		try (InputStream in = this.client.openWalSegment(new Pos(GEN, 1, 4152))) {
			assertThat(in.readAllBytes()).isEqualTo(segment);
		}
	}

	@Test
	void keysHaveNoLeadingSlashWhenPathIsEmpty() throws IOException {
		S3ReplicaClient atRoot = new S3ReplicaClient(this.s3, config(this.bucket, "/"), this.operations, PART_SIZE);
		atRoot.writeWalSegment(new Pos(GEN, 0, 0), new ByteArrayInputStream(bytes(10, 3)));

		assertThat(keys("")).containsExactly("generations/" + GEN + "/wal/00000000_00000000.wal.lz4");
		assertThat(atRoot.generations()).containsExactly(GEN);
		assertThat(atRoot.location()).isEqualTo("s3://" + this.bucket);
	}

	@Test
	void listingsIgnoreObjectsThatAreNotPartOfTheLayout() throws IOException {
		put("backups/app/generations/not-a-generation/wal/00000000_00000000.wal.lz4");
		put("backups/app/generations/" + GEN + "/wal/00000000_00000000.wal.lz4.tmp");
		put("backups/app/generations/" + GEN + "/wal/0000000_00000000.wal.lz4");
		put("backups/app/generations/" + GEN + "/snapshots/00000001.snapshot");
		put("backups/app/generations/" + GEN + "/snapshots/00000002.snapshot.lz4");
		put("backups/app/generations/" + OTHER_GEN + "/wal/00000000_00000000.wal.lz4");
		put("backups/other/generations/1111111111111111/wal/00000000_00000000.wal.lz4");

		assertThat(this.client.generations()).containsExactly(GEN, OTHER_GEN);
		assertThat(this.client.walSegments(GEN)).isEmpty();
		assertThat(this.client.snapshots(GEN)).extracting(SnapshotInfo::index).containsExactly(2L);
		assertThat(this.client.snapshots("aaaaaaaaaaaaaaaa")).isEmpty();
	}

	@Test
	void pagesThroughAndBatchDeletesMoreThanOneThousandSegments() throws Exception {
		List<Pos> written = writeSegments(1_203);
		this.operations.reset();

		List<WalSegmentInfo> listed = this.client.walSegments(GEN);

		assertThat(listed).extracting(WalSegmentInfo::pos).containsExactlyElementsOf(written);
		assertThat(this.operations.count(ReplicaOperation.LIST)).isGreaterThanOrEqualTo(2);

		this.operations.reset();
		this.client.deleteWalSegments(written.subList(0, 1_201));

		assertThat(this.operations.count(ReplicaOperation.DELETE)).isEqualTo(2);
		assertThat(this.client.walSegments(GEN)).extracting(WalSegmentInfo::pos)
			.containsExactlyElementsOf(written.subList(1_201, 1_203));
	}

	@Test
	void uploadsSnapshotLargerThanAPartInParts() throws IOException {
		byte[] snapshot = bytes(2 * PART_SIZE + 12_345, 7);

		SnapshotInfo written = this.client.writeSnapshot(GEN, 3, new ByteArrayInputStream(snapshot));

		assertThat(written.size()).isEqualTo(snapshot.length);
		try (InputStream in = this.client.openSnapshot(GEN, 3)) {
			assertThat(in.readAllBytes()).isEqualTo(snapshot);
		}
		// create, 3 parts, complete
		assertThat(this.operations.count(ReplicaOperation.PUT)).isEqualTo(5);
		assertThat(this.operations.bytes(ReplicaOperation.PUT)).isEqualTo(snapshot.length);
	}

	@Test
	void uploadsSnapshotOfExactlyOnePartWithOnePut() throws IOException {
		byte[] snapshot = bytes(PART_SIZE, 8);

		this.client.writeSnapshot(GEN, 4, new ByteArrayInputStream(snapshot));

		assertThat(this.operations.count(ReplicaOperation.PUT)).isEqualTo(1);
		try (InputStream in = this.client.openSnapshot(GEN, 4)) {
			assertThat(in.readAllBytes()).isEqualTo(snapshot);
		}
	}

	@Test
	void failedUploadMidStreamLeavesNoObjectAndNoPendingUpload() {
		InputStream failing = new FailingInputStream(bytes(2 * PART_SIZE + 100, 9), PART_SIZE + PART_SIZE / 2);

		assertThatExceptionOfType(IOException.class).isThrownBy(() -> this.client.writeSnapshot(GEN, 5, failing))
			.withMessageContaining("disk went away");

		assertThat(keys("")).isEmpty();
		assertThat(this.s3.listMultipartUploads((request) -> request.bucket(this.bucket)).uploads()).isEmpty();
	}

	@Test
	void openingAMissingObjectNamesBucketAndKey() {
		assertThatExceptionOfType(ReplicaObjectNotFoundException.class)
			.isThrownBy(() -> this.client.openWalSegment(new Pos(GEN, 9, 0)))
			.withMessageContaining(this.bucket)
			.withMessageContaining("backups/app/generations/" + GEN + "/wal/00000009_00000000.wal.lz4");
		assertThatExceptionOfType(ReplicaObjectNotFoundException.class)
			.isThrownBy(() -> this.client.openSnapshot(GEN, 9))
			.withMessageContaining("backups/app/generations/" + GEN + "/snapshots/00000009.snapshot.lz4");
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
	void missingBucketNamesTheBucketAndTheSettingToFix() {
		S3ReplicaConfig config = config("no-such-bucket-" + this.bucket, "backups/app");
		try (S3Client other = this.factory.create(config)) {
			S3ReplicaClient missing = new S3ReplicaClient(other, config, this.operations);
			assertThatExceptionOfType(S3ReplicaException.class).isThrownBy(missing::generations)
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(S3ReplicaException.Reason.NO_SUCH_BUCKET))
				.withMessageContaining("s3://no-such-bucket-" + this.bucket + "/backups/app")
				.withMessageContaining("bucket 'no-such-bucket-" + this.bucket + "'")
				.withMessageContaining("'url'");
		}
	}

	/** Writes segments in order of position, several at a time to keep the test short. */
	List<Pos> writeSegments(int count) throws Exception {
		List<Pos> positions = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			positions.add(new Pos(GEN, i / 100, (i % 100) * 4120L));
		}
		byte[] data = bytes(16, 11);
		ExecutorService executor = Executors.newFixedThreadPool(8);
		try {
			List<Future<WalSegmentInfo>> writes = new ArrayList<>();
			for (Pos pos : positions) {
				writes.add(executor.submit(() -> this.client.writeWalSegment(pos, new ByteArrayInputStream(data))));
			}
			for (Future<WalSegmentInfo> write : writes) {
				write.get();
			}
		}
		finally {
			executor.shutdownNow();
		}
		return positions;
	}

	List<String> keys(String prefix) {
		return this.s3.listObjectsV2Paginator((request) -> request.bucket(this.bucket).prefix(prefix))
			.contents()
			.stream()
			.map(S3Object::key)
			.toList();
	}

	void put(String key) {
		this.s3.putObject((request) -> request.bucket(this.bucket).key(key), RequestBody.fromBytes(new byte[] { 1 }));
	}

	static byte[] bytes(int length, long seed) {
		byte[] data = new byte[length];
		new Random(seed).nextBytes(data);
		return data;
	}

	/**
	 * A stream that fails after some bytes, like a database file that cannot be read further.
	 */
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
