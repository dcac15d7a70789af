package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.LocalCopy;
import io.github.litestream.sqlite.SqliteFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database file a {@link StandbyDatabase} finds on disk at start: what it is worth next to
 * the replica ({@link LocalCopy}), and, once it is known to be stale, kept under another name
 * ({@code app.db.before-standby-<UTC time>}), never deleted.
 */
final class StandbyFile {

	// The standby's category: what happens to its file is part of its story.
	private static final Logger logger = LoggerFactory.getLogger(StandbyDatabase.class);

	private static final DateTimeFormatter ASIDE_SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
		.withZone(ZoneOffset.UTC);

	private final String property;

	private final Path path;

	private final Clock clock;

	StandbyFile(String property, Path path, Clock clock) {
		this.property = property;
		this.path = path;
		this.clock = clock;
	}

	/**
	 * Compares the file with the replica that the standby follows.
	 * @param followed the first replica
	 * @return what the file is worth
	 * @throws IOException if the file exists and the replica cannot be read; the message names
	 * the entry and how to start anyway
	 */
	LocalCopy compare(ReplicationTarget followed) throws IOException {
		try {
			return LocalCopy.of(this.path, followed.client());
		}
		catch (IOException ex) {
			throw new IOException(this.property + " is a standby and " + this.path + " exists, but replica '"
					+ followed.options().name() + "' (" + followed.client().location() + ") cannot be read to tell "
					+ "whether that file is current or stale (" + ex.getMessage() + "); start again once the replica "
					+ "answers, or set " + this.property + ".standby=false to start as the primary with this file", ex);
		}
	}

	/**
	 * Keeps a stale copy: its WAL is first checkpointed into the file, so that no crash between
	 * the renames can separate commits from it; then renamed with whatever WAL and shared-memory
	 * files remain, which SQLite opens by name.
	 * @param why why the file is stale, for the log
	 * @return the file's new name
	 * @throws IOException if a file cannot be renamed
	 */
	Path moveAside(String why) throws IOException {
		consolidate();
		Path aside = this.path
			.resolveSibling(this.path.getFileName() + ".before-standby-" + ASIDE_SUFFIX.format(this.clock.instant()));
		SqliteFiles.moveWithCompanions(this.path, aside);
		logger.warn("{} ({}) is a standby and its file is not the replica's latest state: {}. The file is kept as "
				+ "{}; the standby restores the replica's state in its place", this.property, this.path, why, aside);
		return aside;
	}

	/** Moves the WAL's commits into the database file; the file is moved as it is if that fails. */
	private void consolidate() {
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + this.path);
				Statement statement = connection.createStatement()) {
			statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		}
		catch (SQLException ex) {
			logger.debug("Could not checkpoint {} before setting it aside: {}", this.path, ex.getMessage());
		}
	}

}
