package io.github.litestream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;

/**
 * Child process for crash tests: replicates a database to a file replica while writing
 * numbered rows, one transaction each, printing {@code commit <seq> <epoch millis>} after each
 * commit, until it is killed; its replica's steps go to a {@link ReplicationTimeline} log.
 * <p>Arguments: database, replica directory, timeline log.
 */
public final class CrashingWriter {

	/** How often the replica ships: what a crash may lose, besides its uploads ({@link ReplicationTimeline}). */
	static final Duration SYNC_INTERVAL = Duration.ofMillis(200);

	/** How often the WAL is copied between syncs. */
	static final Duration MONITOR_INTERVAL = Duration.ofMillis(50);

	public static void main(String[] args) throws Exception {
		Path db = Path.of(args[0]);
		Path replica = Path.of(args[1]);
		ReplicationTimeline.Recorder timeline = ReplicationTimeline.record(Path.of(args[2]));
		Litestream litestream = new Litestream();
		ReplicatedDatabase database = litestream.addDatabase(
				DatabaseOptions.defaults(db)
					.withMonitorInterval(MONITOR_INTERVAL)
					.withCheckpoints(Duration.ofSeconds(1), 32, 1000),
				List.of(new ReplicationTarget(timeline.client(new FileReplicaClient(replica)),
						ReplicaOptions.defaults("file").withSyncInterval(SYNC_INTERVAL))));
		database.addListener(timeline);
		try (AppDatabase app = new AppDatabase(db)) {
			litestream.start();
			while (true) {
				long seq = app.insert(1);
				System.out.println("commit " + seq + " " + System.currentTimeMillis());
				System.out.flush();
				LockSupport.parkNanos(500_000);
			}
		}
	}

}
