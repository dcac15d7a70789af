package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshots and restores stream: a database several times larger than the heap is
 * snapshotted and restored by a JVM started with {@code -Xmx32m}, and so is a replica whose WAL
 * segments, each small enough to be held in memory, add up to several times the heap.
 */
class BoundedMemoryTests {

	private static final long HEAP = 32L * 1024 * 1024;

	@TempDir
	Path dir;

	@Test
	void snapshotAndRestoreOfADatabaseFiveTimesTheHeap() throws Exception {
		snapshotAndRestoreInASmallHeap("plain");
	}

	@Test
	void encryptedSnapshotAndRestoreOfADatabaseFiveTimesTheHeap() throws Exception {
		snapshotAndRestoreInASmallHeap("age");
	}

	@Test
	void restoreOfWalFiveTimesTheHeapInSmallSegments() throws Exception {
		// Segments of about 256 KiB: small enough to be held in memory, and 160 MiB of them.
		Path replicaDir = replicateOneRowPerSegment(640, 256 * 1024);
		FileReplicaClient client = new FileReplicaClient(replicaDir);
		String generation = client.generations().get(0);
		long walBytes = client.walSegments(generation).stream().mapToLong(WalSegmentInfo::size).sum();
		assertThat(walBytes).isGreaterThan(5 * HEAP);
		assertThat(client.walSegments(generation)).hasSizeGreaterThan(600);
		Path restored = this.dir.resolve("restored.db");
		runInASmallHeap(RestoreInSmallHeap.class, replicaDir.toString(), restored.toString());
		assertWholeRows(restored, 640);
	}

	@Test
	void restoreOfLargeSegmentsWithManyDownloadWorkers() throws Exception {
		// Segments of about 3 MiB, streamed (too large to be read whole), by as many workers as
		// a user may ask of a remote replica: each holds its stream's LZ4 block buffers.
		Path replicaDir = replicateOneRowPerSegment(40, 3 * 1024 * 1024);
		FileReplicaClient client = new FileReplicaClient(replicaDir);
		List<WalSegmentInfo> segments = client.walSegments(client.generations().get(0));
		assertThat(segments.stream().filter((segment) -> segment.size() > 2 * 1024 * 1024)).hasSizeGreaterThan(32);
		Path restored = this.dir.resolve("restored.db");
		runInASmallHeap(RestoreInSmallHeap.class, replicaDir.toString(), restored.toString(), "32");
		assertWholeRows(restored, 40);
	}

	/** A file replica of a database written one row of random bytes per WAL segment. */
	private Path replicateOneRowPerSegment(int rows, int rowBytes) throws Exception {
		Path db = this.dir.resolve("segments.db");
		Path replicaDir = this.dir.resolve("replica");
		try (AppDatabase app = new AppDatabase(db);
				ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(db))) {
			database.open();
			Replica replica = new Replica(database, new FileReplicaClient(replicaDir), ReplicaOptions.defaults("file"));
			replica.sync();
			for (int i = 0; i < rows; i++) {
				app.execute("INSERT INTO t (seq, payload) VALUES (" + (i + 1) + ", randomblob(" + rowBytes + "))");
				database.sync();
				replica.sync();
			}
		}
		return replicaDir;
	}

	private void snapshotAndRestoreInASmallHeap(String encryption) throws Exception {
		Path db = this.dir.resolve("big.db");
		try (AppDatabase app = new AppDatabase(db)) {
			app.execute("BEGIN");
			for (int i = 0; i < 160; i++) {
				app.execute("INSERT INTO t (seq, payload) VALUES (" + (i + 1) + ", randomblob(1024 * 1024))");
			}
			app.execute("COMMIT");
			app.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		}
		assertThat(Files.size(db)).isGreaterThan(5 * HEAP);
		Path restored = this.dir.resolve("restored.db");
		runInASmallHeap(SnapshotInSmallHeap.class, db.toString(), this.dir.resolve("replica").toString(),
				restored.toString(), encryption);
		assertWholeRows(restored, 160);
	}

	/** Runs a main class in a child JVM of 32 MiB of heap, which must succeed. */
	private static void runInASmallHeap(Class<?> main, String... args) throws Exception {
		Process child = ChildJvm.builder(main, List.of("-Xmx32m"), args).redirectErrorStream(true).start();
		String output = new String(child.getInputStream().readAllBytes());
		assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
		assertThat(child.exitValue()).as(output).isZero();
	}

	/** The restored database is sound and holds exactly the first {@code rows} rows. */
	private static void assertWholeRows(Path restored, int rows) throws Exception {
		Summary summary = AppDatabase.summarize(restored);
		assertThat(summary.integrity()).isEqualTo("ok");
		assertThat(summary.count()).isEqualTo(rows);
		assertThat(summary.isGapFreePrefix()).isTrue();
	}

}
