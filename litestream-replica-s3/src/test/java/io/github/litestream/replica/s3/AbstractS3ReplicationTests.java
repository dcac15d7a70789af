package io.github.litestream.replica.s3;

import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaListener;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.restore.RestoreOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The engine end to end against a real S3-compatible server: real SQLite, a {@code Replica} on
 * {@link S3ReplicaClient}, and the real restore reading back from the bucket. The scenarios
 * mirror the file-replica round trips and add what only a remote store has: pagination
 * through more than 1,000 objects and credential errors. The S3Proxy and MinIO classes run
 * them; {@link AbstractS3LiveReplicationTests} covers the running engine (outages, request
 * economy).
 */
abstract class AbstractS3ReplicationTests extends S3ReplicationTestSupport {

	@Test
	void roundTripAcrossManyIndexesAndCheckpoints() throws Exception {
		openDatabase(checkpointEvery8Pages(this.dbPath), ReplicaOptions.defaults("s3"));
		for (int i = 0; i < 40; i++) {
			batch(1 + i % 7);
		}
		assertThat(this.replica.position().orElseThrow().index()).isGreaterThan(10);

		Summary restored = restore(RestoreOptions.latest(output("latest.db")));

		assertThat(restored).isEqualTo(this.app.summary());
		assertThat(restored.integrity()).isEqualTo("ok");
		assertThat(restored.isGapFreePrefix()).isTrue();
	}

	@Test
	void restoresEveryIndexToTheStateAtItsEnd() throws Exception {
		openDatabase(checkpointEvery8Pages(this.dbPath), ReplicaOptions.defaults("s3"));
		TreeMap<Long, Summary> atEndOfIndex = new TreeMap<>();
		for (int i = 0; i < 20; i++) {
			atEndOfIndex.put(batch(1 + i % 5), this.app.summary());
		}
		this.replica.snapshot();
		for (int i = 0; i < 8; i++) {
			atEndOfIndex.put(batch(3), this.app.summary());
		}
		assertThat(atEndOfIndex).hasSizeGreaterThan(5);

		for (var entry : atEndOfIndex.entrySet()) {
			String name = "index-" + Pos.hex(entry.getKey()) + ".db";
			assertThat(restore(RestoreOptions.latest(output(name)).withIndex(entry.getKey())))
				.as("restore at index %s", Pos.hex(entry.getKey()))
				.isEqualTo(entry.getValue());
		}
	}

	@Test
	void retentionDeletesOldSnapshotsSegmentsAndGenerationsButKeepsTheNewestPoint() throws Exception {
		ReplicaOptions retaining = ReplicaOptions.defaults("s3").withRetention(Duration.ofHours(1), Duration.ofMinutes(1));
		openDatabase(checkpointEvery8Pages(this.dbPath), retaining);
		batch(5);
		String oldGeneration = this.replica.position().orElseThrow().generation();
		// A restart after changes the engine did not see starts a new generation.
		this.database.close();
		this.app.insert(3);
		this.app.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		openDatabase(checkpointEvery8Pages(this.dbPath), retaining);
		batch(20);
		String generation = this.replica.position().orElseThrow().generation();
		for (int i = 0; i < 3; i++) {
			batch(10);
			this.replica.snapshot();
		}
		batch(10);
		assertThat(this.client.generations()).containsExactlyInAnyOrder(oldGeneration, generation);
		assertThat(this.client.snapshots(generation)).hasSize(4);

		this.clock.advance(Duration.ofHours(2));
		int deleted = this.replica.enforceRetention();

		assertThat(deleted).isGreaterThan(0);
		assertThat(this.client.generations()).containsExactly(generation);
		List<SnapshotInfo> left = this.client.snapshots(generation);
		assertThat(left).hasSize(1);
		assertThat(this.client.walSegments(generation)).isNotEmpty()
			.allMatch((segment) -> segment.index() >= left.get(0).index());
		assertThat(restore(RestoreOptions.latest(output("after-retention.db"))))
			.isEqualTo(this.app.summary());
	}

	@Test
	void aNewDatabaseListsTheBucketOnceThroughItsFirstSnapshotRetentionAndSyncs() throws Exception {
		openDatabase(DatabaseOptions.defaults(this.dbPath), ReplicaOptions.defaults("s3"));
		this.operations.reset();
		batch(1);
		this.replica.enforceRetention();
		batch(1);
		batch(1);
		// Retention's look for other generations; the new generation itself is never listed
		// (see ReplicaRequestCountTests): a snapshot and three WAL segments are uploaded.
		assertThat(this.operations.count(ReplicaOperation.LIST)).isEqualTo(1);
		assertThat(this.operations.count(ReplicaOperation.GET)).isZero();
		assertThat(this.operations.count(ReplicaOperation.PUT)).isEqualTo(4);
		assertThat(restore(RestoreOptions.latest(output("new.db")))).isEqualTo(this.app.summary());
	}

	@Test
	void restoresThroughMoreThanOneThousandWalSegments() throws Exception {
		openDatabase(checkpointEvery8Pages(this.dbPath), ReplicaOptions.defaults("s3"));
		AtomicInteger segments = new AtomicInteger();
		this.replica.addListener(new ReplicaListener() {
			@Override
			public void onWalSegment(Pos start, long bytes, Duration duration) {
				segments.incrementAndGet();
			}
		});
		batch(1);
		String generation = this.replica.position().orElseThrow().generation();
		while (segments.get() <= 1_020) {
			batch(1);
		}
		this.operations.reset();
		List<WalSegmentInfo> listed = this.client.walSegments(generation);
		assertThat(listed).hasSize(segments.get());
		assertThat(this.operations.count(ReplicaOperation.LIST)).isGreaterThanOrEqualTo(2);
		assertThat(this.client.snapshots(generation)).hasSize(1);

		Summary restored = restore(RestoreOptions.latest(output("many-segments.db")));

		assertThat(restored).isEqualTo(this.app.summary());
		assertThat(restored.isGapFreePrefix()).isTrue();
	}

	@Test
	void wrongCredentialsFailTheSyncWithAClearMessageAndNoSecret() throws Exception {
		String wrongSecret = "wrong-secret-" + System.nanoTime();
		this.client = client(configBuilder(this.bucket, PATH).credentials(store().accessKeyId(), wrongSecret).build(),
				this.operations);
		openDatabase(DatabaseOptions.defaults(this.dbPath), ReplicaOptions.defaults("s3"));
		this.app.insert(5);
		this.database.sync();

		assertThatExceptionOfType(S3ReplicaException.class).isThrownBy(this.replica::sync);

		var status = this.replica.status();
		assertThat(status.failingSince()).isNotNull();
		assertThat(status.position()).isNull();
		assertThat(status.lastError()).contains("s3://" + this.bucket + "/" + PATH)
			.contains("bucket '" + this.bucket + "'")
			.contains("'access-key-id'/'secret-access-key'")
			.doesNotContain(wrongSecret)
			.doesNotContain(store().secretAccessKey());
	}

}
