package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

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

/**
 * A disk that went back in time (a volume snapshot restored) and then took other commits than
 * the replica holds: its WAL has the same header and, being longer, a position past the
 * replica's. Shipping its frames after the replica's would join two histories in one WAL
 * index; the engine must start a new generation instead.
 */
class DivergedDiskTests {

	@TempDir
	Path dir;

	@Test
	void aDiskThatWentBackAndTookOtherCommitsStartsANewGenerationInsteadOfJoiningTwoHistories() throws Exception {
		Path db = this.dir.resolve("app.db");
		Path saved = this.dir.resolve("volume-snapshot");
		FileReplicaClient files = new FileReplicaClient(this.dir.resolve("replica"));
		try (Litestream engine = new Litestream(); AppDatabase app = new AppDatabase(db)) {
			ReplicatedDatabase database = engine.addDatabase(options(db), targets(files));
			Replica replica = engine.replicas(database).get(0);
			engine.start();
			app.insert(5);
			database.sync();
			OnReplicaThread.sync(engine, replica);
			copyState(db, this.dir, saved);
			app.insert(20);
			database.sync();
			OnReplicaThread.sync(engine, replica);
		}
		for (String name : List.of("app.db", "app.db-wal", "app.db-shm")) {
			Files.deleteIfExists(this.dir.resolve(name));
		}
		deleteTree(this.dir.resolve(".app.db-litestream"));
		copyState(saved.resolve("app.db"), saved, this.dir);

		// Kept open: closing the last connection would checkpoint the WAL away.
		try (AppDatabase other = new AppDatabase(db)) {
			other.insert(40);
			try (Litestream engine = new Litestream()) {
				ReplicatedDatabase database = engine.addDatabase(options(db), targets(files));
				Replica replica = engine.replicas(database).get(0);
				engine.start();
				database.sync();
				try {
					OnReplicaThread.sync(engine, replica);
				}
				catch (IOException ex) {
					assertThat(ex).hasMessageContaining("holds other WAL bytes");
				}
				database.sync();
				OnReplicaThread.sync(engine, replica);
				Path restored = this.dir.resolve("restored.db");
				new Restorer().restore(files, RestoreOptions.latest(restored));
				assertThat(AppDatabase.summarize(restored)).isEqualTo(other.summary());
			}
		}
	}

	private static DatabaseOptions options(Path db) {
		return DatabaseOptions.defaults(db).withMonitorInterval(Duration.ofHours(1));
	}

	private static List<ReplicationTarget> targets(FileReplicaClient files) {
		return List.of(new ReplicationTarget(files, ReplicaOptions.defaults("file").withSyncInterval(Duration.ofHours(1))));
	}

	/** The database, its WAL and the engine's local state, as a volume snapshot has them (no -shm). */
	private static void copyState(Path db, Path from, Path to) throws IOException {
		Files.createDirectories(to);
		for (String name : List.of("app.db", "app.db-wal")) {
			Files.copy(from.resolve(name), to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
		}
		Path state = from.resolve(".app.db-litestream");
		try (Stream<Path> tree = Files.walk(state)) {
			for (Path path : tree.toList()) {
				Path target = to.resolve(".app.db-litestream").resolve(state.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
				}
			}
		}
	}

	private static void deleteTree(Path root) throws IOException {
		try (Stream<Path> tree = Files.walk(root)) {
			for (Path path : tree.sorted((a, b) -> b.compareTo(a)).toList()) {
				Files.delete(path);
			}
		}
	}

}
