package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * A database file deleted and created anew at its path while the engine replicates it: the
 * engine's descriptor still reads the old file and its WAL path names the new one's, so it
 * must stop replicating it rather than start a generation made of both.
 */
class ReplacedDatabaseFileTests {

	@TempDir
	Path dir;

	@Test
	void aDatabaseReplacedUnderTheEngineStopsItsReplicationWithoutMixingTheTwo() throws Exception {
		Path path = this.dir.resolve("app.db");
		FileReplicaClient files = new FileReplicaClient(this.dir.resolve("replica"));
		AppDatabase.Summary before;
		try (Litestream engine = new Litestream()) {
			ReplicatedDatabase database = engine.addDatabase(
					DatabaseOptions.defaults(path).withMonitorInterval(Duration.ofHours(1)),
					List.of(new ReplicationTarget(files,
							ReplicaOptions.defaults("file").withSyncInterval(Duration.ofHours(1)))));
			Replica replica = engine.replicas(database).get(0);
			try (AppDatabase app = new AppDatabase(path)) {
				engine.start();
				app.insert(10);
				database.sync();
				OnReplicaThread.sync(engine, replica);
				before = app.summary();
			}
			for (String suffix : new String[] { "-wal", "-shm", "" }) {
				Files.deleteIfExists(Path.of(path + suffix));
			}
			try (AppDatabase other = new AppDatabase(path)) {
				other.execute("CREATE TABLE other (x)");
				other.insert(3);
				assertThatIOException().isThrownBy(database::sync)
					.withMessageContaining(path.toString())
					.withMessageContaining("deleted or replaced");
				assertThat(database.syncFailure()).isNotNull();
				try {
					OnReplicaThread.sync(engine, replica);
				}
				catch (IOException ex) {
					// Nothing new to ship, or refused: either way nothing of the new file.
				}
			}
		}
		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(files, RestoreOptions.latest(restored));
		assertThat(AppDatabase.summarize(restored)).isEqualTo(before);
	}

}
