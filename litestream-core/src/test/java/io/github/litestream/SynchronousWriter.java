package io.github.litestream;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.jdbc.SynchronousReplicationDataSource;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.sqlite.SQLiteDataSource;

/**
 * Child process for the synchronous replication crash tests: commits numbered rows, one
 * auto-commit INSERT each, through a {@link SynchronousReplicationDataSource}, and prints
 * {@code replicated <seq>} after each commit returned, until it is killed. Its sync and
 * monitor intervals are 30 s, so no timer ships anything after the first snapshot: only the
 * waiting commits do.
 * <p>Arguments: database, replica directory (or, through {@link #run}, any client).
 */
public final class SynchronousWriter {

	/** Long enough that no timer runs while the test kills the writer. */
	public static final Duration TIMER = Duration.ofSeconds(30);

	private SynchronousWriter() {
	}

	public static void main(String[] args) throws Exception {
		run(Path.of(args[0]), new FileReplicaClient(Path.of(args[1])));
	}

	public static void run(Path db, ReplicaClient client) throws Exception {
		try (Connection setup = DriverManager.getConnection("jdbc:sqlite:" + db);
				Statement s = setup.createStatement()) {
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("CREATE TABLE IF NOT EXISTS t (seq INTEGER PRIMARY KEY, payload BLOB)");
		}
		Litestream engine = new Litestream();
		ReplicatedDatabase database = engine.addDatabase(DatabaseOptions.defaults(db).withMonitorInterval(TIMER),
				List.of(new ReplicationTarget(client, ReplicaOptions.defaults("sync").withSyncInterval(TIMER))));
		SQLiteDataSource sqlite = new SQLiteDataSource();
		sqlite.setUrl("jdbc:sqlite:" + db);
		engine.start();
		SynchronousReplicationDataSource dataSource = new SynchronousReplicationDataSource(sqlite, engine, database,
				ReplicaQuorum.ANY, Duration.ofSeconds(20));
		try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
			s.execute("PRAGMA busy_timeout=5000");
			s.execute("PRAGMA wal_autocheckpoint=0");
			s.execute("PRAGMA synchronous=NORMAL");
			for (long seq = 1;; seq++) {
				s.execute("INSERT INTO t (seq, payload) VALUES (" + seq + ", randomblob(300))");
				System.out.println("replicated " + seq);
				System.out.flush();
			}
		}
	}

}
