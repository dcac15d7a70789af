package io.github.litestream;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A snapshot an operator asks for while the newest stored snapshot has the database's current
 * WAL index: snapshot keys name only their index, so it must go to a new index rather than
 * replace the stored one, whose point-in-time window would go with it.
 */
class SnapshotNowTests {

	private final ConsistencyOracle oracle = new ConsistencyOracle(OracleEngine.ROWS);

	@TempDir
	Path dir;

	@Test
	void aSnapshotOnDemandKeepsTheStoredSnapshotOfTheSameIndex() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		FileReplicaClient files = new FileReplicaClient(replicaRoot);
		Instant between;
		int stateBetween;
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("app.db"), this.oracle, true,
				new FileReplicaClient(replicaRoot))) {
			primary.commit(10);
			primary.awaitReplicated();
			Pos first = primary.database().position().orElseThrow();
			List<SnapshotInfo> stored = files.snapshots(first.generation());
			assertThat(stored).singleElement().extracting(SnapshotInfo::index).isEqualTo(first.index());
			stateBetween = this.oracle.lastLogged();
			// Just after the first batch's newest object; the second batch's objects come later.
			Instant afterFirstBatch = Stream
				.concat(stored.stream().map(SnapshotInfo::createdAt),
						files.walSegments(first.generation()).stream().map(WalSegmentInfo::createdAt))
				.max(Comparator.naturalOrder())
				.orElseThrow()
				.plusMillis(1);
			between = afterFirstBatch;
			await().until(() -> Instant.now().isAfter(afterFirstBatch));
			primary.commit(10);
			primary.awaitReplicated();
			assertThat(primary.database().position().orElseThrow().index()).as("no new index yet")
				.isEqualTo(first.index());
			Replica replica = primary.litestream().replicas(primary.database()).get(0);
			primary.litestream().snapshotNow(replica).get();

			assertThat(files.snapshots(first.generation())).hasSize(2)
				.first()
				.isEqualTo(stored.get(0));
			assertThat(primary.database().position().orElseThrow().index()).isGreaterThan(first.index());
		}
		Path restored = this.dir.resolve("at-between.db");
		new Restorer().restore(files, RestoreOptions.latest(restored).withTimestamp(between));
		assertThat(this.oracle.check(restored).state()).isEqualTo(stateBetween);
		Path latest = this.dir.resolve("latest.db");
		new Restorer().restore(files, RestoreOptions.latest(latest));
		assertThat(this.oracle.check(latest).state()).isEqualTo(this.oracle.lastLogged());
	}

	@Test
	void aSnapshotOnDemandThatCannotStartANewIndexSaysWhyAndIsNoReplicaFailure() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		try (OracleEngine primary = new OracleEngine(this.dir.resolve("app.db"), this.oracle, true,
				new FileReplicaClient(replicaRoot))) {
			primary.commit(10);
			primary.awaitReplicated();
			Replica replica = primary.litestream().replicas(primary.database()).get(0);
			try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"));
					Statement read = reader.createStatement()) {
				read.execute("BEGIN");
				read.executeQuery("SELECT COUNT(*) FROM sqlite_master").close();
				assertThatExceptionOfType(ExecutionException.class)
					.isThrownBy(() -> primary.litestream().snapshotNow(replica).get())
					.havingCause()
					.withMessageContaining("Cannot take a snapshot of")
					.withMessageContaining("ask again once it ends");
				assertThat(replica.status().lastError()).as("not recorded as a failure of the replica").isNull();
				read.execute("COMMIT");
			}
			primary.litestream().snapshotNow(replica).get();
			assertThat(new FileReplicaClient(replicaRoot)
				.snapshots(primary.database().position().orElseThrow().generation())).hasSize(2);
		}
	}

}
