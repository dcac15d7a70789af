package io.github.litestream.restore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only a database file that holds nothing is taken for a missing one.
 */
class EmptyDatabaseFileTests {

	@TempDir
	Path dir;

	@Test
	void aZeroByteFileIsRemovedWithItsSiblings() throws Exception {
		Path db = Files.createFile(this.dir.resolve("app.db"));
		Path shm = Files.write(this.dir.resolve("app.db-shm"), new byte[32768]);
		Path wal = Files.createFile(this.dir.resolve("app.db-wal"));

		assertThat(EmptyDatabaseFile.removeIfEmpty(db)).isTrue();

		assertThat(db).doesNotExist();
		assertThat(shm).doesNotExist();
		assertThat(wal).doesNotExist();
	}

	@Test
	void aDatabaseIsKept() throws Exception {
		Path db = this.dir.resolve("app.db");
		writeOneRow(db).close();

		assertThat(EmptyDatabaseFile.removeIfEmpty(db)).isFalse();

		assertThat(Files.size(db)).isPositive();
	}

	@Test
	void aZeroByteFileWhoseWalHoldsFramesIsKept() throws Exception {
		Path source = this.dir.resolve("source.db");
		Path sourceWal = Path.of(source + "-wal");
		try (Connection connection = writeOneRow(source)) {
			// While the connection is open the WAL keeps its frames.
			assertThat(Files.size(sourceWal)).isGreaterThan(32);
			Path db = Files.createFile(this.dir.resolve("app.db"));
			Path wal = Files.copy(sourceWal, this.dir.resolve("app.db-wal"));

			assertThat(EmptyDatabaseFile.removeIfEmpty(db)).isFalse();

			assertThat(db).exists();
			assertThat(wal).exists();
		}
	}

	@Test
	void aMissingFileIsNotEmpty() throws Exception {
		assertThat(EmptyDatabaseFile.removeIfEmpty(this.dir.resolve("missing.db"))).isFalse();
	}

	/** A WAL database with one row, its connection left open (closing it would remove the WAL). */
	private static Connection writeOneRow(Path db) throws Exception {
		Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
		try (Statement statement = connection.createStatement()) {
			statement.execute("PRAGMA journal_mode=WAL");
			statement.execute("PRAGMA wal_autocheckpoint=0");
			statement.execute("CREATE TABLE t (x)");
			statement.execute("INSERT INTO t VALUES (1)");
		}
		return connection;
	}

}
