package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.github.litestream.HomeDirectory;
import io.github.litestream.ReplicaQuorum;
import io.github.litestream.sqlite.SqliteFiles;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.StringUtils;

/**
 * Checks {@link LitestreamProperties} once at startup and turns them into
 * {@link DatabaseSettings}. Every problem becomes a {@link LitestreamConfigurationException}
 * naming the property and the fix, so a bad configuration fails fast with a clear report
 * instead of surfacing later in a background thread.
 */
final class LitestreamPropertiesValidator {

	private static final Logger logger = LoggerFactory.getLogger(LitestreamPropertiesValidator.class);

	private final ReplicaEntryValidator replicaEntries;

	private final ReplicaEntrySource entries;

	private final boolean createDirectories;

	/**
	 * Creates a validator that creates missing database directories, as the application needs
	 * them.
	 * @param providers the providers of the replica types that can be created
	 * @param entries where the keys of the replica entries come from
	 */
	LitestreamPropertiesValidator(ReplicaClientFactory providers, ReplicaEntrySource entries) {
		this(providers, entries, true);
	}

	/**
	 * Creates a validator.
	 * @param providers the providers of the replica types that can be created
	 * @param entries where the keys of the replica entries come from
	 * @param createDirectories whether to create a missing database directory, to require what
	 * writing the replicas needs and to warn about the sidecar's own keys (the application); a tool that only reads replicas leaves
	 * the disk alone and decrypts with identities alone
	 */
	LitestreamPropertiesValidator(ReplicaClientFactory providers, ReplicaEntrySource entries,
			boolean createDirectories) {
		this.replicaEntries = new ReplicaEntryValidator(providers, entries, createDirectories);
		this.entries = entries;
		this.createDirectories = createDirectories;
	}

	/**
	 * Validates the properties.
	 * @param properties the bound properties
	 * @return the settings of every configured database, in configuration order
	 * @throws LitestreamConfigurationException on the first problem found
	 */
	List<DatabaseSettings> validate(LitestreamProperties properties) {
		TopLevelKeys.requireKnown(this.entries.topLevelKeys(), this.createDirectories);
		TopLevelKeys.requireNoMisspelling(this.entries.systemPropertyKeys());
		positive(properties.getShutdownTimeout(), "litestream.shutdown-timeout");
		positive(properties.getBusyTimeout(), "litestream.busy-timeout");
		atLeastOne(properties.getCaptureThreads(), "litestream.capture-threads");
		atLeastOne(properties.getReplicaThreads(), "litestream.replica-threads");
		List<DatabaseSettings> databases = new ArrayList<>();
		Map<Path, String> paths = new HashMap<>();
		List<LitestreamProperties.Database> dbs = properties.getDbs();
		for (int i = 0; i < dbs.size(); i++) {
			DatabaseSettings database = database("litestream.dbs[" + i + "]", dbs.get(i));
			if (database.path() == null && database.directory() == null
					&& databases.stream().anyMatch((other) -> other.path() == null && other.directory() == null)) {
				throw new LitestreamConfigurationException(database.property() + ".path",
						"only one database may omit its path (it then uses the only SQLite DataSource)",
						"Set " + database.property() + ".path to the database file to replicate.");
			}
			if (database.path() != null) {
				// The file SQLite reaches: a dangling link names a file that does not exist yet.
				Path file = SqliteFiles.resolved(database.path());
				String previous = paths.putIfAbsent(file, database.property());
				if (previous != null) {
					throw new LitestreamConfigurationException(database.property() + ".path",
							"the database " + database.path() + " is the file " + file + ", already configured by "
									+ previous + ".path (the same path, or one of them a symbolic link)",
							"Configure each database file once: keep one of " + previous + " and "
									+ database.property() + " and list all its replicas under that entry.");
				}
			}
			databases.add(database);
		}
		return databases;
	}

	private DatabaseSettings database(String prefix, LitestreamProperties.Database db) {
		DatabaseEntryKeys.requireKnown(prefix, this.entries.keysUnder(prefix), this.createDirectories);
		positive(db.getMonitorInterval(), prefix + ".monitor-interval");
		positive(db.getCheckpointInterval(), prefix + ".checkpoint-interval");
		if (db.getMinCheckpointPageCount() < 1) {
			throw new LitestreamConfigurationException(prefix + ".min-checkpoint-page-count",
					"must be at least 1, not " + db.getMinCheckpointPageCount(),
					"Set " + prefix + ".min-checkpoint-page-count to a positive number of pages (default 1000).");
		}
		if (db.getMaxCheckpointPageCount() < db.getMinCheckpointPageCount()) {
			throw new LitestreamConfigurationException(prefix + ".max-checkpoint-page-count",
					db.getMaxCheckpointPageCount() + " is less than min-checkpoint-page-count ("
							+ db.getMinCheckpointPageCount() + ")",
					"Set " + prefix + ".max-checkpoint-page-count at or above min-checkpoint-page-count.");
		}
		if (db.getMaxShadowWalSize() == null || db.getMaxShadowWalSize().isNegative()) {
			throw new LitestreamConfigurationException(prefix + ".max-shadow-wal-size",
					"must not be negative, not " + db.getMaxShadowWalSize(),
					"Set " + prefix + ".max-shadow-wal-size to a size such as 1GB (the default), or 0 for no bound.");
		}
		if (db.getRestore().getParallelism() < 1) {
			throw new LitestreamConfigurationException(prefix + ".restore.parallelism",
					"must be at least 1, not " + db.getRestore().getParallelism(),
					"Set " + prefix + ".restore.parallelism to a positive number (default 8).");
		}
		SynchronousCommits synchronous = synchronous(prefix, db);
		Path path = StringUtils.hasText(db.getPath())
				? databasePath(prefix + ".path", db.getPath(), this.createDirectories) : null;
		DirectorySettings directory = directory(prefix, db);
		List<ReplicaSettings> replicas = replicas(prefix, db, null);
		if (replicas.isEmpty()) {
			// A profile may add them (none in development, say): worth a line, not a failure.
			logger.warn("{} ({}) has no replica: nothing of it is backed up. Add {}.replicas[0].url to replicate it",
					prefix, (db.getPath() != null) ? db.getPath() : db.getDir(), prefix);
		}
		return new DatabaseSettings(prefix, path, db.getMonitorInterval(), db.getCheckpointInterval(),
				db.getMinCheckpointPageCount(), db.getMaxCheckpointPageCount(), db.getMaxShadowWalSize().toBytes(),
				db.getRestore().isEnabled(),
				db.getRestore().isIfReplicaExists(), db.getRestore().getParallelism(), db.getRestore().isFallBack(),
				replicas, synchronous, LeaseSettings.of(prefix, db.getLease()), standby(prefix, db, replicas), directory);
	}

	/**
	 * Whether the entry is a standby; a standby follows its first replica and takes over through
	 * its lease, so it needs both, and one file of its own.
	 */
	private static boolean standby(String prefix, LitestreamProperties.Database db, List<ReplicaSettings> replicas) {
		if (!db.isStandby()) {
			return false;
		}
		if (StringUtils.hasText(db.getDir())) {
			throw new LitestreamConfigurationException(prefix + ".standby",
					"is true on a directory entry; a standby follows one database file",
					"Give the database an entry of its own with path, or remove " + prefix + ".standby.");
		}
		if (replicas.isEmpty()) {
			throw new LitestreamConfigurationException(prefix + ".standby",
					"is true but the entry has no replica to follow",
					"Add a replica under " + prefix + ".replicas (the standby follows the first one), or remove "
							+ prefix + ".standby.");
		}
		if (!db.getLease().isEnabled()) {
			throw new LitestreamConfigurationException(prefix + ".standby",
					"is true while " + prefix + ".lease.enabled is false; a standby takes over when the primary's "
							+ "lease is free, so it needs the lease",
					"Set " + prefix + ".lease.enabled to true, or remove " + prefix + ".standby.");
		}
		return true;
	}

	/**
	 * The directory of an entry with {@code dir} (Litestream v0.5's directory mode), or
	 * {@code null}.
	 */
	private @Nullable DirectorySettings directory(String prefix, LitestreamProperties.Database db) {
		if (!StringUtils.hasText(db.getDir())) {
			if (db.isRecursive()) {
				throw new LitestreamConfigurationException(prefix + ".recursive",
						"is set but the entry has no dir to look into",
						"Set " + prefix + ".dir to the directory of the databases, or remove " + prefix + ".recursive.");
			}
			return null;
		}
		if (StringUtils.hasText(db.getPath())) {
			throw new LitestreamConfigurationException(prefix + ".dir",
					"both dir and path are set; an entry replicates either one database file or every database "
							+ "of a directory",
					"Remove " + prefix + ".path to replicate the directory, or " + prefix
							+ ".dir to replicate the one file.");
		}
		if (db.getSynchronousReplication() == LitestreamProperties.SynchronousReplication.ON) {
			throw new LitestreamConfigurationException(prefix + ".synchronous-replication",
					"is on, which directory entries don't support yet",
					"Give a database that needs synchronous replication an entry of its own with path, or set "
							+ prefix + ".synchronous-replication to off.");
		}
		String pattern = db.getPattern();
		try {
			if (!StringUtils.hasText(pattern) || pattern.contains("/")) {
				throw new IllegalArgumentException("a pattern matches file names, not paths");
			}
			FileSystems.getDefault().getPathMatcher("glob:" + pattern);
		}
		catch (IllegalArgumentException ex) {
			throw new LitestreamConfigurationException(prefix + ".pattern",
					"'" + pattern + "' is not a usable file name pattern: " + ex.getMessage(),
					"Set " + prefix + ".pattern to a glob such as *.db (the default) or tenant-*.sqlite; set "
							+ prefix + ".recursive to true to look into subdirectories.");
		}
		Path dir = directoryPath(prefix + ".dir", db.getDir());
		return new DirectorySettings(dir, pattern, db.isRecursive(), (relative) -> replicas(prefix, db, relative));
	}

	private Path directoryPath(String property, String value) {
		Path dir;
		try {
			dir = Path.of(HomeDirectory.expand(value)).toAbsolutePath().normalize();
		}
		catch (InvalidPathException ex) {
			throw new LitestreamConfigurationException(property, "'" + value + "' is not a usable directory path",
					"Set " + property + " to the directory of the databases.", ex);
		}
		if (Files.exists(dir) && !Files.isDirectory(dir)) {
			throw new LitestreamConfigurationException(property, dir + " is a file, not a directory",
					"Set " + property + " to the directory of the databases, or use path for a single database file.");
		}
		try {
			if (this.createDirectories) {
				Files.createDirectories(dir);
			}
		}
		catch (IOException | SecurityException ex) {
			throw new LitestreamConfigurationException(property, dir + " does not exist and can't be created",
					"Create " + dir + " with write access for the application, or point " + property
							+ " at a writable location.",
					ex);
		}
		return SqliteJdbcUrl.canonical(dir);
	}

	/**
	 * The replicas of an entry; for one database of a directory entry, each under the
	 * database's path relative to the directory.
	 */
	private List<ReplicaSettings> replicas(String prefix, LitestreamProperties.Database db,
			@Nullable String relativePath) {
		List<ReplicaSettings> replicas = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (int i = 0; i < db.getReplicas().size(); i++) {
			ReplicaSettings replica = this.replicaEntries.replica(prefix + ".replicas[" + i + "]", db.getReplicas().get(i),
					relativePath);
			if (!names.add(replica.name())) {
				throw new LitestreamConfigurationException(replica.property() + ".name",
						"another replica of " + prefix + " is already named '" + replica.name() + "'",
						"Give each replica of a database a distinct " + replica.property()
								+ ".name (a replica without a name is named after its type).");
			}
			replicas.add(replica);
		}
		return List.copyOf(replicas);
	}

	private static SynchronousCommits synchronous(String prefix, LitestreamProperties.Database db) {
		ReplicaQuorum quorum;
		try {
			quorum = ReplicaQuorum.parse(String.valueOf(db.getSynchronousReplicas()));
		}
		catch (IllegalArgumentException ex) {
			throw new LitestreamConfigurationException(prefix + ".synchronous-replicas", ex.getMessage(),
					"Set " + prefix + ".synchronous-replicas to 1 (any one replica, the default) or all.");
		}
		positive(db.getSynchronousTimeout(), prefix + ".synchronous-timeout");
		boolean everyCommit = db.getSynchronousReplication() == LitestreamProperties.SynchronousReplication.ON;
		if (everyCommit && db.getReplicas().isEmpty()) {
			throw new LitestreamConfigurationException(prefix + ".synchronous-replication",
					"is on but the database has no replica to wait for",
					"Configure " + prefix + ".replicas, or set " + prefix + ".synchronous-replication to off.");
		}
		return new SynchronousCommits(everyCommit, quorum, db.getSynchronousTimeout());
	}

	private static Path databasePath(String property, String value, boolean createDirectories) {
		if (isInMemory(value)) {
			throw new LitestreamConfigurationException(property,
					"'" + value + "' is an in-memory database, which has no file to replicate",
					"Point " + property + " at a database file, or remove the entry.");
		}
		String name = value.startsWith("jdbc:sqlite:") ? value.substring("jdbc:sqlite:".length()) : value;
		Path path;
		try {
			path = (name.startsWith("file:")) ? SqliteJdbcUrl.parse("jdbc:sqlite:" + name).path()
					: Path.of(HomeDirectory.expand(name));
		}
		catch (IllegalArgumentException ex) {
			throw new LitestreamConfigurationException(property, "'" + value + "' is not a usable file path",
					"Set " + property + " to the path of the SQLite database file.", ex);
		}
		Path absolute = path.toAbsolutePath().normalize();
		if (Files.isDirectory(absolute)) {
			throw new LitestreamConfigurationException(property, absolute + " is a directory",
					"Set " + property + " to the database file, not its directory.");
		}
		try {
			if (createDirectories) {
				Files.createDirectories(absolute.getParent());
			}
		}
		catch (IOException | SecurityException ex) {
			throw new LitestreamConfigurationException(property,
					"the directory of " + absolute + " does not exist and can't be created",
					"Create " + absolute.getParent() + " with write access for the application, or point "
							+ property + " at a writable location.",
					ex);
		}
		return SqliteJdbcUrl.canonical(absolute);
	}

	static boolean isInMemory(String value) {
		String lower = value.toLowerCase(Locale.ROOT);
		if (lower.startsWith("jdbc:sqlite:")) {
			lower = lower.substring("jdbc:sqlite:".length());
		}
		return lower.isEmpty() || lower.equals(":memory:") || lower.startsWith("file::memory:")
				|| lower.matches(".*[?&](mode=memory|vfs=memdb)(&.*)?");
	}

	static void atLeastOne(@Nullable Integer threads, String property) {
		if (threads != null && threads < 1) {
			throw new LitestreamConfigurationException(property, "must be at least 1, not " + threads,
					"Set " + property + " to a positive number of threads, or remove it for the default.");
		}
	}

	static void positive(Duration duration, String property) {
		if (duration == null || duration.isZero() || duration.isNegative()) {
			throw new LitestreamConfigurationException(property, "must be positive, not " + duration,
					"Set " + property + " to a positive duration such as 1s or 1m.");
		}
	}

	static void notNegative(Duration duration, String property) {
		if (duration == null || duration.isNegative()) {
			throw new LitestreamConfigurationException(property, "must not be negative, not " + duration,
					"Set " + property + " to a positive duration, or 0s to turn it off.");
		}
	}

}
