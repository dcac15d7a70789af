package io.github.litestream;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restores to many points in time of a run with snapshots and time-based checkpoints every
 * second, while transactions change random pages: each restore equals exactly one committed
 * state (the {@link ConsistencyOracle} decides), one that had begun by the timestamp, and later
 * timestamps never restore earlier states.
 */
class PointInTimeConsistencyTests {

	private static final int ROWS = 24;

	/**
	 * Object times come from the kernel's coarse clock, which may lag the clock the writer reads
	 * by a scheduler tick: a segment can look up to this much older than it is.
	 */
	private static final long FILE_TIME_SLACK_MILLIS = 20;

	@TempDir
	Path dir;

	@Test
	void everyPointInTimeRestoreEqualsOneCommittedStateNoLaterThanItsTimestamp() throws Exception {
		Path db = this.dir.resolve("app.db");
		FileReplicaClient client = new FileReplicaClient(this.dir.resolve("replica"));
		ConsistencyOracle oracle = new ConsistencyOracle(ROWS);
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db)) {
			PageWriter.createTable(connection, ROWS);
			Litestream litestream = new Litestream();
			ReplicatedDatabase database = litestream.addDatabase(
					DatabaseOptions.defaults(db)
						.withMonitorInterval(Duration.ofMillis(50))
						.withCheckpoints(Duration.ofSeconds(1), 1000, 10000),
					List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file")
						.withSyncInterval(Duration.ofMillis(100))
						.withSnapshotInterval(Duration.ofSeconds(1)))));
			litestream.start();
			try (PageWriter writer = new PageWriter(connection, ROWS, 11)) {
				Instant until = Instant.now().plusSeconds(6);
				for (long k = 1; Instant.now().isBefore(until); k++) {
					long began = System.currentTimeMillis();
					oracle.committed(began, writer.commit(k));
					LockSupport.parkNanos(5_000_000);
				}
			}
			finally {
				assertThat(litestream.stop(Duration.ofSeconds(10))).as("the final flush shipped everything").isTrue();
				litestream.close();
			}
			assertThat(database.position()).isPresent();
		}

		String generation = client.generations().get(0);
		List<SnapshotInfo> snapshots = client.snapshots(generation);
		// A snapshot replaces the one of the same index: one per index remains.
		assertThat(snapshots).as("snapshots of several indexes").hasSizeGreaterThanOrEqualTo(2);
		TreeSet<Instant> timestamps = new TreeSet<>();
		Instant first = snapshots.stream().map(SnapshotInfo::createdAt).min(Instant::compareTo).orElseThrow();
		Instant last = Instant.ofEpochMilli(oracle.beganAtMillis(oracle.lastLogged())).plusSeconds(1);
		snapshots.forEach((snapshot) -> timestamps.add(snapshot.createdAt()));
		long spanMillis = Duration.between(first, last).toMillis();
		for (int i = 0; i <= 10; i++) {
			timestamps.add(first.plusMillis(spanMillis * i / 10));
		}

		int previous = -1;
		TreeSet<Integer> states = new TreeSet<>();
		for (Instant timestamp : timestamps) {
			Path restored = this.dir.resolve("at-" + timestamp.toEpochMilli() + "-" + timestamp.getNano() + ".db");
			new Restorer().restore(client, RestoreOptions.latest(restored).withTimestamp(timestamp));
			ConsistencyOracle.Match match = oracle.check(restored);
			int k = match.state();
			assertThat(match.unlogged()).isFalse();
			if (k > 0) {
				assertThat(oracle.beganAtMillis(k)).as("restore to %s gives state %d, which began at %s", timestamp, k,
						Instant.ofEpochMilli(oracle.beganAtMillis(k)))
					.isLessThanOrEqualTo(timestamp.toEpochMilli() + FILE_TIME_SLACK_MILLIS);
			}
			assertThat(k).as("restore to %s after the one before it", timestamp).isGreaterThanOrEqualTo(previous);
			previous = k;
			states.add(k);
		}
		assertThat(previous).as("the last timestamp is after the last commit").isEqualTo(oracle.lastLogged());
		assertThat(states).as("the timestamps pick out different states").hasSizeGreaterThanOrEqualTo(6);
		System.out.printf("PointInTimeConsistencyTests: %d transactions, %d snapshots, %d restores gave states %s%n",
				oracle.lastLogged(), snapshots.size(), timestamps.size(), states);
	}

}
