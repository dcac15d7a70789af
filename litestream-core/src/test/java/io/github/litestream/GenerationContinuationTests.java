package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.RestoreResult;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database restored to the end of a replica's newest generation continues that generation
 * when the engine starts on it: no new generation, no snapshot, and every restore of the
 * replica afterwards equals one committed state ({@link ConsistencyOracle}) — the latest one.
 * And the cases where it must not continue.
 */
class GenerationContinuationTests {

	@TempDir
	Path dir;

	private final ConsistencyOracle oracle = new ConsistencyOracle(OracleEngine.ROWS);

	/** A primary that wrote three WAL indexes to the replica, then shut down; its disk is gone. */
	private String writeHistory(ReplicaClient... replicas) throws Exception {
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("primary.db"), this.oracle, true, replicas)) {
			primary.commit(20);
			primary.newIndex();
			primary.commit(20);
			primary.newIndex();
			primary.commit(20);
			primary.awaitReplicated();
		}
		assertThat(replicas[0].generations()).hasSize(1);
		return replicas[0].generations().get(0);
	}

	private RestoreResult restoreToContinue(ReplicaClient client, Path output) throws IOException {
		return new Restorer().restore(client, RestoreOptions.latest(output).withContinueGeneration(true));
	}

	@Test
	void restoredDatabaseContinuesTheGenerationWithoutASnapshot() throws Exception {
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replica"));
		String generation = writeHistory(replica);
		int snapshots = replica.snapshots(generation).size();
		Path restored = this.dir.resolve("restored.db");
		RestoreResult result = restoreToContinue(replica, restored);
		assertThat(result.continuedAfter()).isNotNull();
		assertThat(result.continuedAfter().generation()).isEqualTo(generation);
		assertThat(result.continuedAfter().index()).isEqualTo(2);
		assertThat(this.oracle.check(restored).state()).isEqualTo(this.oracle.lastLogged());

		try (OracleEngine next = new OracleEngine(restored, this.oracle, false, replica)) {
			assertThat(next.database().position().orElseThrow()).satisfies((pos) -> {
				assertThat(pos.generation()).isEqualTo(generation);
				assertThat(pos.index()).isEqualTo(3);
			});
			next.commit(15);
			next.newIndex();
			next.commit(15);
			next.awaitReplicated();
		}
		assertThat(replica.generations()).containsExactly(generation);
		assertThat(replica.snapshots(generation)).hasSize(snapshots);
		assertLatestRestoreIsTheLastState(replica, "final.db");
		assertThat(StockLayout.generations(replica.root(), false)).containsExactly(generation);
		Path withCli = this.dir.resolve("cli.db");
		CliRestore.restore(replica.root(), generation, withCli);
		assertThat(this.oracle.check(withCli).state()).as("restored as the stock CLI does")
			.isEqualTo(this.oracle.lastLogged());
	}

	@Test
	void writesBetweenRestoreAndStartReachTheReplicaInTheSameGeneration() throws Exception {
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replica"));
		String generation = writeHistory(replica);
		Path restored = this.dir.resolve("restored.db");
		restoreToContinue(replica, restored);
		// Like a migration run after restore-on-boot, before replication starts: the pool stays
		// open, so its writes are still in the WAL when the engine opens the database.
		try (OracleEngine next = new OracleEngine(restored, this.oracle, false, false, replica)) {
			next.commit(10);
			next.start();
			assertThat(next.database().position().orElseThrow().generation()).isEqualTo(generation);
			next.commit(10);
			next.awaitReplicated();
		}
		assertThat(replica.generations()).containsExactly(generation);
		assertThat(replica.snapshots(generation)).hasSize(1);
		assertLatestRestoreIsTheLastState(replica, "final.db");
	}

	@Test
	void aStaleWalNextToTheRestoredFileDoesNotStopTheContinuation() throws Exception {
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replica"));
		String generation = writeHistory(replica);
		Path restored = this.dir.resolve("restored.db");
		// What an earlier incarnation of the database left: the restore sets it aside, since
		// SQLite would replay it into the restored file.
		Files.copy(this.dir.resolve("primary.db"), restored.resolveSibling("restored.db-wal"));
		assertThat(restoreToContinue(replica, restored).continuedAfter()).isNotNull();
		assertThat(restored.resolveSibling("restored.db-wal")).doesNotExist();
		try (OracleEngine next = new OracleEngine(restored, this.oracle, false, replica)) {
			assertThat(next.database().position().orElseThrow().generation()).isEqualTo(generation);
			next.commit(5);
			next.awaitReplicated();
		}
		assertThat(replica.generations()).containsExactly(generation);
		assertLatestRestoreIsTheLastState(replica, "final.db");
	}

	@Test
	void aCheckpointBetweenRestoreAndStartStartsANewGeneration() throws Exception {
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replica"));
		String generation = writeHistory(replica);
		Path restored = this.dir.resolve("restored.db");
		restoreToContinue(replica, restored);
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + restored);
				PageWriter writer = new PageWriter(connection, OracleEngine.ROWS, 7)) {
			PageWriter.configure(connection);
			long began = System.currentTimeMillis();
			this.oracle.committed(began, writer.commit(this.oracle.lastLogged() + 1));
		}
		// The last connection closed: SQLite checkpointed into the file, which is no longer the
		// state the replica holds at the recorded position.
		try (OracleEngine next = new OracleEngine(restored, this.oracle, false, replica)) {
			assertThat(next.database().position().orElseThrow().generation()).isNotEqualTo(generation);
			next.commit(5);
			next.awaitReplicated();
		}
		assertThat(replica.generations()).hasSize(2);
		assertLatestRestoreIsTheLastState(replica, "final.db");
	}

	@Test
	void pointInTimeRestoreDoesNotContinue() throws Exception {
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replica"));
		String generation = writeHistory(replica);
		Path restored = this.dir.resolve("restored.db");
		RestoreResult result = new Restorer().restore(replica,
				RestoreOptions.latest(restored).withIndex(1).withContinueGeneration(true));
		assertThat(result.restored()).isTrue();
		assertThat(result.continuedAfter()).isNull();
		assertThat(this.dir.resolve(".restored.db-litestream")).doesNotExist();
		try (OracleEngine next = new OracleEngine(restored, new ConsistencyOracle(OracleEngine.ROWS), false, replica)) {
			assertThat(next.database().position().orElseThrow().generation()).isNotEqualTo(generation);
		}
	}

	@Test
	void restoreWithoutTheOptionLeavesNoState() throws Exception {
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replica"));
		writeHistory(replica);
		RestoreResult result = new Restorer().restore(replica, RestoreOptions.latest(this.dir.resolve("plain.db")));
		assertThat(result.continuedAfter()).isNull();
		assertThat(this.dir.resolve(".plain.db-litestream")).doesNotExist();
		assertThat(listFiles(this.dir)).noneMatch((file) -> file.getFileName().toString().startsWith(".plain.db"));
	}

	@Test
	void aGenerationThatMovedOnAfterTheRestoreIsNotContinued() throws Exception {
		FileReplicaClient replica = new FileReplicaClient(this.dir.resolve("replica"));
		Path restored = this.dir.resolve("restored.db");
		String generation;
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("primary.db"), this.oracle, true, replica)) {
			primary.commit(20);
			primary.awaitReplicated();
			generation = replica.generations().get(0);
			assertThat(restoreToContinue(replica, restored).continuedAfter()).isNotNull();
			// The primary did not stop: it writes on in the same generation and index.
			primary.commit(10);
			primary.awaitReplicated();
		}
		Path segmentsBefore = this.dir.resolve("replica-before");
		copyTree(this.dir.resolve("replica"), segmentsBefore);
		try (OracleEngine next = new OracleEngine(restored, new ConsistencyOracle(OracleEngine.ROWS), false, replica)) {
			assertThat(next.database().position().orElseThrow().generation()).isNotEqualTo(generation);
			next.awaitReplicated();
		}
		// The generation of the primary is untouched, and still restores to its last state.
		assertThat(new FileReplicaClient(this.dir.resolve("replica")).walSegments(generation))
			.extracting(WalSegmentInfo::pos, WalSegmentInfo::size)
			.isEqualTo(new FileReplicaClient(segmentsBefore).walSegments(generation)
				.stream()
				.map((segment) -> org.assertj.core.groups.Tuple.tuple(segment.pos(), segment.size()))
				.toList());
		Path primaryState = this.dir.resolve("primary-latest.db");
		new Restorer().restore(replica, RestoreOptions.latest(primaryState).withGeneration(generation));
		assertThat(this.oracle.check(primaryState).state()).isEqualTo(this.oracle.lastLogged());
	}

	@Test
	void otherReplicasGetSegmentsOrASnapshotAndTheRestoredOneNothingButSegments() throws Exception {
		FileReplicaClient restoredFrom = new FileReplicaClient(this.dir.resolve("a"));
		Path lagsInIndex = this.dir.resolve("lags-in-index");
		Path lagsAnIndex = this.dir.resolve("lags-an-index");
		String generation;
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("primary.db"), this.oracle, true, restoredFrom)) {
			primary.commit(20);
			primary.awaitReplicated();
			copyTree(this.dir.resolve("a"), lagsAnIndex);
			primary.newIndex();
			primary.commit(20);
			primary.awaitReplicated();
			copyTree(this.dir.resolve("a"), lagsInIndex);
			primary.commit(20);
			primary.awaitReplicated();
			generation = restoredFrom.generations().get(0);
		}
		Path restored = this.dir.resolve("restored.db");
		assertThat(restoreToContinue(restoredFrom, restored).continuedAfter()).isNotNull();
		FileReplicaClient inIndex = new FileReplicaClient(lagsInIndex);
		FileReplicaClient anIndex = new FileReplicaClient(lagsAnIndex);
		FileReplicaClient empty = new FileReplicaClient(this.dir.resolve("empty"));
		try (OracleEngine next = new OracleEngine(restored, this.oracle, false, restoredFrom, inIndex, anIndex, empty)) {
			assertThat(next.database().position().orElseThrow().generation()).isEqualTo(generation);
			next.commit(10);
			next.awaitReplicated();
		}
		assertThat(restoredFrom.snapshots(generation)).hasSize(1);
		assertThat(inIndex.snapshots(generation)).as("a replica behind within the restored index gets segments")
			.hasSize(1);
		assertThat(anIndex.snapshots(generation)).as("a replica behind by an index gets a snapshot").hasSize(2);
		assertThat(empty.generations()).containsExactly(generation);
		assertThat(empty.snapshots(generation)).hasSize(1);
		for (FileReplicaClient replica : List.of(restoredFrom, inIndex, anIndex, empty)) {
			assertThat(replica.generations()).containsExactly(generation);
			assertLatestRestoreIsTheLastState(replica, "final-" + replica.location().hashCode() + ".db");
		}
	}

	private void assertLatestRestoreIsTheLastState(ReplicaClient replica, String name) throws Exception {
		Path output = this.dir.resolve(name);
		new Restorer().restore(replica, RestoreOptions.latest(output));
		assertThat(this.oracle.check(output).state()).as("restore of %s", replica.location())
			.isEqualTo(this.oracle.lastLogged());
	}

	static void copyTree(Path from, Path to) throws IOException {
		try (Stream<Path> tree = Files.walk(from)) {
			for (Path path : tree.toList()) {
				Path target = to.resolve(from.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(path, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
				}
			}
		}
	}

	private static List<Path> listFiles(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			return files.toList();
		}
	}

	static Pos position(OracleEngine engine) {
		return engine.database().position().orElseThrow();
	}

}
