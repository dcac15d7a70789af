package io.github.litestream;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Child process: a primary that stops as an application does on SIGTERM. It creates the
 * {@link PageWriter} table, replicates to a leased replica and commits, logging each commit
 * after it returns (see {@link ConsistencyOracle}). Prints {@code snapshot <millis>} at its first
 * snapshot. On SIGTERM its shutdown hook stops the writes, then closes the engine: the final
 * flush, then the lease's release.
 * <p>Arguments: database, replica directory, history log; {@code LITESTREAM_TEST_LEASE_TTL_MS}
 * sets the ttl (default 10 s).
 */
public final class GracefulWriter {

	private GracefulWriter() {
	}

	public static void main(String[] args) throws Exception {
		run(args, new FileReplicaClient(Path.of(args[1])));
	}

	/**
	 * Writes and replicates until SIGTERM.
	 * @param args database, replica (as the client names it), history log
	 * @param replica where to replicate
	 * @throws Exception if writing or replicating fails
	 */
	public static void run(String[] args, ReplicaClient replica) throws Exception {
		Path db = Path.of(args[0]);
		String ttl = System.getenv("LITESTREAM_TEST_LEASE_TTL_MS");
		LeaseOptions lease = (ttl != null) ? new LeaseOptions(true, Duration.ofMillis(Long.parseLong(ttl)))
				: LeaseOptions.defaults();
		Litestream litestream = new Litestream();
		ReplicatedDatabase database = litestream.addDatabase(
				DatabaseOptions.defaults(db).withMonitorInterval(Duration.ofMillis(50)), lease,
				List.of(new ReplicationTarget(replica,
						ReplicaOptions.defaults("r0").withSyncInterval(Duration.ofMillis(100)))));
		litestream.onStarting(() -> litestream.replicas(database).forEach((r) -> r.addListener(new ReplicaListener() {

			@Override
			public void onSnapshot(SnapshotInfo snapshot, Duration duration) {
				System.out.println("snapshot " + System.currentTimeMillis());
				System.out.flush();
			}

		})));
		AtomicBoolean stopping = new AtomicBoolean();
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			stopping.set(true);
			try {
				stopped.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			litestream.close();
		}));
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
				ConsistencyOracle.LogWriter history = new ConsistencyOracle.LogWriter(Path.of(args[2]),
						OracleEngine.ROWS)) {
			PageWriter.createTable(connection, OracleEngine.ROWS);
			litestream.start();
			try (PageWriter writer = new PageWriter(connection, OracleEngine.ROWS, System.nanoTime())) {
				for (long k = 1; !stopping.get(); k++) {
					long began = System.currentTimeMillis();
					int[] ids = writer.commit(k);
					history.committed(k, began, ids);
					LockSupport.parkNanos(1_000_000);
				}
			}
		}
		finally {
			stopped.countDown();
		}
	}

}
