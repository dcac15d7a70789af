package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.LocalCopy;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * The file a standby finds on disk: set aside under a name that says when, with its WAL's
 * commits inside it, and compared with a replica that does not answer, with an error that says
 * what to do.
 */
class StandbyFileTests {

	private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T19:04:05Z"), ZoneOffset.UTC);

	@TempDir
	Path dir;

	@Test
	void aStaleFileIsRenamedWithItsWalAndSharedMemoryAndHoldsTheWalsCommits() throws Exception {
		Path path = this.dir.resolve("app.db");
		// Kept open so that the WAL and shared-memory files stay, as under a running application.
		try (Connection open = DriverManager.getConnection("jdbc:sqlite:" + path)) {
			try (Statement statement = open.createStatement()) {
				statement.execute("CREATE TABLE item (id INTEGER PRIMARY KEY)");
				statement.execute("PRAGMA journal_mode=WAL");
				statement.execute("PRAGMA wal_autocheckpoint=0");
				for (int i = 0; i < 5; i++) {
					statement.execute("INSERT INTO item DEFAULT VALUES");
				}
			}
			assertThat(Path.of(path + "-wal")).isNotEmptyFile();
			Path aside = new StandbyFile("litestream.dbs[0]", path, CLOCK).moveAside("a test");
			assertThat(aside).isEqualTo(this.dir.resolve("app.db.before-standby-20261201T190405Z"));
			assertThat(aside).exists();
			assertThat(Path.of(aside + "-wal")).exists();
			assertThat(Path.of(aside + "-shm")).exists();
			assertThat(path).doesNotExist();
			assertThat(Path.of(path + "-wal")).doesNotExist();
			assertThat(Path.of(path + "-shm")).doesNotExist();
			// Without its WAL (copied: opening it by name would read the WAL beside it).
			Path alone = Files.copy(aside, this.dir.resolve("alone.db"));
			assertThat(count(alone)).isEqualTo(5);
		}
	}

	@Test
	void aFileWithoutWalIsRenamedAlone() throws Exception {
		Path path = this.dir.resolve("app.db");
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + path);
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE item (id INTEGER PRIMARY KEY)");
			statement.execute("INSERT INTO item DEFAULT VALUES");
		}
		Path aside = new StandbyFile("litestream.dbs[0]", path, CLOCK).moveAside("a test");
		assertThat(count(aside)).isEqualTo(1);
		try (var files = Files.list(this.dir)) {
			assertThat(files.map((file) -> file.getFileName().toString()))
				.containsExactly("app.db.before-standby-20261201T190405Z");
		}
	}

	@Test
	void aFileComparedWithAReplicaThatCannotBeReadNamesTheEntryAndTheWayOut() throws Exception {
		Path path = this.dir.resolve("app.db");
		Files.writeString(path, "");
		ReplicationTarget followed = new ReplicationTarget(unreadable(this.dir.resolve("replica")),
				ReplicaOptions.defaults("backup"));
		assertThatIOException().isThrownBy(() -> new StandbyFile("litestream.dbs[1]", path, CLOCK).compare(followed))
			.withMessageContaining("litestream.dbs[1] is a standby and " + path + " exists")
			.withMessageContaining("replica 'backup'")
			.withMessageContaining("503 (test)")
			.withMessageContaining("set litestream.dbs[1].standby=false");
	}

	@Test
	void aMissingFileIsComparedWithoutReadingTheReplica() throws Exception {
		ReplicationTarget followed = new ReplicationTarget(unreadable(this.dir.resolve("replica")),
				ReplicaOptions.defaults("backup"));
		assertThat(new StandbyFile("litestream.dbs[0]", this.dir.resolve("app.db"), CLOCK).compare(followed))
			.isEqualTo(LocalCopy.MISSING);
	}

	private static ForwardingReplicaClient unreadable(Path root) {
		return new ForwardingReplicaClient(new FileReplicaClient(root)) {

			@Override
			public List<String> generations() throws IOException {
				throw new IOException("503 (test)");
			}

		};
	}

	private static int count(Path database) throws SQLException {
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT count(*) FROM item")) {
			return result.getInt(1);
		}
	}

}
