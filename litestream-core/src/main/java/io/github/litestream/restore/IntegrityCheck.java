package io.github.litestream.restore;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaLayout;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * The last word on a restored database: SQLite's own {@code PRAGMA integrity_check}.
 */
final class IntegrityCheck {

	private static final int MAX_PROBLEMS = 10;

	// Reading the pages through a memory map instead of one pread each takes a third off the
	// check (SQLite caps the map at its compile-time limit, 2 GiB in sqlite-jdbc).
	private static final long MMAP_SIZE = 1L << 40;

	private IntegrityCheck() {
	}

	/**
	 * Checks that a restored database is sound.
	 * @param database the restored database (still a temporary file)
	 * @param plan what was restored, for messages: the replica, generation, snapshot and WAL
	 * @throws RestoreException if SQLite cannot open the database or reports problems
	 */
	static void verify(Path database, RestorePlan plan) throws RestoreException {
		List<String> problems = new ArrayList<>();
		// Never created by the check: an empty file would pass it.
		SQLiteConfig config = new SQLiteConfig();
		config.resetOpenMode(SQLiteOpenMode.CREATE);
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database, config.toProperties());
				Statement statement = connection.createStatement()) {
			statement.execute("PRAGMA mmap_size=" + MMAP_SIZE);
			ResultSet result = statement.executeQuery("PRAGMA integrity_check(" + MAX_PROBLEMS + ")");
			while (result.next()) {
				problems.add(result.getString(1));
			}
		}
		catch (SQLException ex) {
			throw new RestoreException("Cannot check the integrity of the database restored from " + plan + ": "
					+ ex.getMessage() + "; the snapshot (" + snapshotKey(plan) + ") is probably corrupt, restore "
					+ "from another snapshot or replica", ex);
		}
		if (!problems.equals(List.of("ok"))) {
			// Checksums passed, so which object holds the damage is unknown: name what was read.
			throw new RestoreException("The database restored from " + plan + " fails PRAGMA integrity_check: "
					+ problems + "; the snapshot (" + snapshotKey(plan) + ") or one of the WAL segments applied is "
					+ "damaged: restore index " + Pos.hex(plan.snapshot().index())
					+ " (the snapshot with its own index only) or an earlier index, or from another replica");
		}
	}

	private static String snapshotKey(RestorePlan plan) {
		return ReplicaLayout.snapshotKey(plan.generation(), plan.snapshot().index());
	}

}
