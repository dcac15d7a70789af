package io.github.litestream.benchmarks.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;

import io.github.litestream.benchmarks.Workload;

/**
 * Real SQLite files for the micro-benchmarks: a WAL written by SQLite itself (copied while the
 * connection still holds it, before SQLite checkpoints it away on close) and a database file.
 */
final class SampleFiles {

	private SampleFiles() {
	}

	/**
	 * Writes single-row transactions until the WAL holds at least {@code bytes}, and copies it.
	 * @param dir a scratch directory
	 * @param bytes the least WAL size wanted
	 * @return the copy of the WAL
	 */
	static Path wal(Path dir, long bytes) throws IOException, SQLException {
		Path db = dir.resolve("wal-source.db");
		Path copy = dir.resolve("sample.wal");
		try (Workload app = new Workload(db)) {
			while (app.walSize() < bytes) {
				app.insert();
			}
			Files.copy(Path.of(db + "-wal"), copy, StandardCopyOption.REPLACE_EXISTING);
		}
		return copy;
	}

	/**
	 * A checkpointed database file of about {@code bytes}.
	 * @param dir a scratch directory
	 * @param bytes the size wanted
	 * @return the database file
	 */
	static Path database(Path dir, long bytes) throws SQLException {
		Path db = dir.resolve("snapshot-source.db");
		try (Workload app = new Workload(db)) {
			app.bulkInsert(bytes, 1000);
			app.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		}
		return db;
	}

	static void delete(Path dir) throws IOException {
		try (var paths = Files.walk(dir)) {
			for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

}
