package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.file.FileReplicaClient;

/**
 * Child process for consistency crash tests: creates the {@link PageWriter} table (state 0),
 * then replicates the database to a file replica with snapshots and time-based checkpoints
 * every second while committing page-changing transactions, logging each after its commit
 * returns (see {@link ConsistencyOracle}), until it is killed. Prints {@code snapshot <millis>}
 * whenever a snapshot was stored, so a test can kill it right after one.
 * <p>Arguments: database, replica directory, history log. The benchmarks' soak runs it too,
 * and {@code S3ConsistentWriter} (in litestream-replica-s3's tests) runs it against S3.
 * <p>The replica is leased, as the starter's default is, whenever its backend can keep a lease;
 * {@code LITESTREAM_TEST_LEASE_TTL_MS} sets the ttl (default 10 s).
 */
public final class ConsistentWriter {

	/** Rows in the table. */
	static final int ROWS = 24;

	static final Duration SNAPSHOT_INTERVAL = Duration.ofSeconds(1);

	static final Duration MONITOR_INTERVAL = Duration.ofMillis(50);

	static final Duration SYNC_INTERVAL = Duration.ofMillis(200);

	static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

	public static void main(String[] args) throws Exception {
		run(args, new FileReplicaClient(Path.of(args[1])));
	}

	/**
	 * Writes and replicates until killed.
	 * @param args database, replica (as the client names it), history log
	 * @param replica where to replicate
	 * @throws Exception if writing or replicating fails
	 */
	public static void run(String[] args, ReplicaClient replica) throws Exception {
		Path db = Path.of(args[0]);
		Path log = Path.of(args[2]);
		ReplicationTimeline.Recorder timeline = ReplicationTimeline.record(timelineOf(log));
		ReplicaClient client = timeline.client(replica);
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
				ConsistencyOracle.LogWriter history = new ConsistencyOracle.LogWriter(log, ROWS)) {
			PageWriter.createTable(connection, ROWS);
			Litestream litestream = new Litestream();
			ReplicatedDatabase database = litestream.addDatabase(
					DatabaseOptions.defaults(db)
						.withMonitorInterval(MONITOR_INTERVAL)
						.withCheckpoints(CHECKPOINT_INTERVAL, 2000, 10000),
					lease(client),
					List.of(new ReplicationTarget(client,
							ReplicaOptions.defaults("file")
								.withSyncInterval(SYNC_INTERVAL)
								.withSnapshotInterval(SNAPSHOT_INTERVAL))));
			database.addListener(timeline);
			litestream.onStarting(() -> litestream.replicas(database).forEach((r) -> r.addListener(new ReplicaListener() {

				@Override
				public void onSnapshot(SnapshotInfo snapshot, Duration duration) {
					System.out.println("snapshot " + System.currentTimeMillis());
					System.out.flush();
				}

			})));
			litestream.start();
			try (PageWriter writer = new PageWriter(connection, ROWS, System.nanoTime())) {
				for (long k = 1;; k++) {
					long began = System.currentTimeMillis();
					int[] ids = writer.commit(k);
					history.committed(k, began, System.currentTimeMillis(), ids);
					LockSupport.parkNanos(1_000_000);
				}
			}
		}
	}

	/**
	 * How much a kill of this writer may lose (see {@link ReplicationTimeline}): its intervals,
	 * plus how long its replica's last steps took, as the child logged them.
	 * @param history the history log the writer was given
	 * @param killedAt when the kill was sent, in epoch milliseconds
	 * @return the window
	 * @throws IOException if the child's log cannot be read
	 */
	public static ReplicationTimeline.LossWindow lossWindow(Path history, long killedAt) throws IOException {
		return ReplicationTimeline.read(timelineOf(history)).lossWindow(killedAt, MONITOR_INTERVAL, SYNC_INTERVAL);
	}

	private static Path timelineOf(Path history) {
		return history.resolveSibling(history.getFileName() + ".replication");
	}

	private static LeaseOptions lease(ReplicaClient replica) {
		if (replica.conditionalObjects().isEmpty()) {
			return LeaseOptions.DISABLED;
		}
		String ttl = System.getenv("LITESTREAM_TEST_LEASE_TTL_MS");
		return (ttl != null) ? new LeaseOptions(true, Duration.ofMillis(Long.parseLong(ttl))) : LeaseOptions.defaults();
	}

}
