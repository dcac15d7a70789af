package io.github.litestream;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;

/**
 * A child JVM's application with the engine: writes, waits until the replica holds every commit
 * and the engine's checkpoint moved every frame into the database file, says
 * {@code idle <generation> <index>} and waits to be killed. The WAL it leaves is fully checkpointed.
 */
public final class CheckpointedIdleWriter {

	private CheckpointedIdleWriter() {
	}

	/**
	 * Runs until killed.
	 * @param args the database file and the replica directory
	 */
	public static void main(String[] args) throws Exception {
		Path path = Path.of(args[0]);
		Litestream engine = new Litestream();
		ReplicatedDatabase database = engine.addDatabase(
				DatabaseOptions.defaults(path)
					.withMonitorInterval(Duration.ofMillis(50))
					.withCheckpoints(Duration.ofMinutes(1), 4, 10000),
				List.of(new ReplicationTarget(new FileReplicaClient(Path.of(args[1])),
						ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)))));
		engine.start();
		try (AppDatabase app = new AppDatabase(path)) {
			app.insert(5);
			engine.commitPosition(database);
			Replica replica = engine.replicas(database).get(0);
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			// The engine's checkpoint (due at 4 pages) moves every frame into the database file;
			// a checkpoint of the application's then finds nothing left.
			while (!(replica.position().isPresent() && replica.position().equals(database.position())
					&& fullyCheckpointed(app))) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("The replica did not catch up, or the WAL was not checkpointed");
				}
				Thread.sleep(20);
			}
			Pos position = database.position().orElseThrow();
			System.out.println("idle " + position.generation() + " " + position.index());
			System.out.flush();
			Thread.sleep(Long.MAX_VALUE);
		}
	}

	private static boolean fullyCheckpointed(AppDatabase app) throws Exception {
		try (Statement s = app.connection().createStatement();
				ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
			rs.next();
			return rs.getInt(1) == 0 && rs.getInt(2) > 0 && rs.getInt(2) == rs.getInt(3);
		}
	}

}
