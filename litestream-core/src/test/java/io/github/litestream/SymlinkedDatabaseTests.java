package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database path that is a symbolic link, as a container mounts a volume and links the
 * application's path to it. SQLite resolves the link and keeps the WAL next to the target.
 */
class SymlinkedDatabaseTests {

	@TempDir
	Path dir;

	@Test
	void aDatabaseReachedThroughASymbolicLinkIsReplicatedWithItsRealWal() throws Exception {
		Path volume = Files.createDirectories(this.dir.resolve("volume"));
		Path link = Files.createSymbolicLink(this.dir.resolve("app.db"), volume.resolve("app.db"));
		FileReplicaClient files = new FileReplicaClient(this.dir.resolve("replica"));
		AppDatabase.Summary written;
		try (AppDatabase app = new AppDatabase(link); Litestream engine = new Litestream()) {
			ReplicatedDatabase database = engine.addDatabase(
					DatabaseOptions.defaults(link).withMonitorInterval(Duration.ofHours(1)),
					List.of(new ReplicationTarget(files, ReplicaOptions.defaults("file").withSyncInterval(Duration.ofHours(1)))));
			engine.start();
			app.insert(30);
			engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(30));
			written = app.summary();
			assertThat(volume.resolve("app.db-wal")).as("SQLite's WAL, beside the link's target").exists();
		}
		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(files, RestoreOptions.latest(restored));
		assertThat(AppDatabase.summarize(restored)).isEqualTo(written);
	}

	@Test
	void aMissingDatabaseBehindADanglingLinkIsRestoredIntoTheLinksTargetAndContinued() throws Exception {
		FileReplicaClient files = new FileReplicaClient(this.dir.resolve("replica"));
		AppDatabase.Summary written;
		Path original = this.dir.resolve("original.db");
		try (AppDatabase app = new AppDatabase(original); Litestream engine = new Litestream()) {
			ReplicatedDatabase database = engine.addDatabase(DatabaseOptions.defaults(original),
					List.of(new ReplicationTarget(files, ReplicaOptions.defaults("file"))));
			engine.start();
			app.insert(25);
			engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(30));
			written = app.summary();
		}
		// A new container: the application's path links into an empty volume.
		Path volume = Files.createDirectories(this.dir.resolve("empty-volume"));
		Path link = Files.createSymbolicLink(this.dir.resolve("app.db"), volume.resolve("app.db"));
		new Restorer().restore(files, RestoreOptions.latest(link).withContinueGeneration(true));
		assertThat(volume.resolve("app.db")).isRegularFile();
		assertThat(Files.isSymbolicLink(link)).isTrue();
		assertThat(AppDatabase.summarize(link)).isEqualTo(written);
		try (AppDatabase app = new AppDatabase(link); Litestream engine = new Litestream()) {
			ReplicatedDatabase database = engine.addDatabase(DatabaseOptions.defaults(link),
					List.of(new ReplicationTarget(files, ReplicaOptions.defaults("file"))));
			engine.start();
			app.insert(5);
			engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(30));
			written = app.summary();
		}
		assertThat(files.generations()).as("the restored generation continues").hasSize(1);
		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(files, RestoreOptions.latest(restored));
		assertThat(AppDatabase.summarize(restored)).isEqualTo(written);
	}

}
