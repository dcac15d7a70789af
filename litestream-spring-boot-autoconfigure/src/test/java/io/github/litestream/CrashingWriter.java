package io.github.litestream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;

/**
 * Child process for crash tests: replicates a database to a file replica while writing
 * numbered rows, one transaction each, printing {@code commit <seq>} after each commit, until
 * it is killed.
 */
public final class CrashingWriter {

	public static void main(String[] args) throws Exception {
		Path db = Path.of(args[0]);
		Path replica = Path.of(args[1]);
		Litestream litestream = new Litestream();
		litestream.addDatabase(
				DatabaseOptions.defaults(db)
					.withMonitorInterval(Duration.ofMillis(50))
					.withCheckpoints(Duration.ofSeconds(1), 32, 1000),
				List.of(new ReplicationTarget(new FileReplicaClient(replica),
						ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(100)))));
		try (AppDatabase app = new AppDatabase(db)) {
			litestream.start();
			while (true) {
				long seq = app.insert(1);
				System.out.println("commit " + seq);
				System.out.flush();
				LockSupport.parkNanos(500_000);
			}
		}
	}

}
