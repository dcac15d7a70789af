package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
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

import io.github.litestream.replica.ReplicaOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Checks {@link LitestreamProperties} once at startup and turns them into
 * {@link DatabaseSettings}. Every problem becomes a {@link LitestreamConfigurationException}
 * naming the property and the fix, so a bad configuration fails fast with a clear report
 * instead of surfacing later in a background thread.
 */
final class LitestreamPropertiesValidator {

	private final Set<String> replicaTypes;

	/**
	 * Creates a validator.
	 * @param replicaTypes the replica types that can be created in this application
	 */
	LitestreamPropertiesValidator(Set<String> replicaTypes) {
		this.replicaTypes = replicaTypes;
	}

	/**
	 * Validates the properties.
	 * @param properties the bound properties
	 * @return the settings of every configured database, in configuration order
	 * @throws LitestreamConfigurationException on the first problem found
	 */
	List<DatabaseSettings> validate(LitestreamProperties properties) {
		positive(properties.getShutdownTimeout(), "litestream.shutdown-timeout");
		positive(properties.getBusyTimeout(), "litestream.busy-timeout");
		List<DatabaseSettings> databases = new ArrayList<>();
		Map<Path, String> paths = new HashMap<>();
		List<LitestreamProperties.Database> dbs = properties.getDbs();
		for (int i = 0; i < dbs.size(); i++) {
			DatabaseSettings database = database("litestream.dbs[" + i + "]", dbs.get(i), properties);
			if (database.path() == null && databases.stream().anyMatch((other) -> other.path() == null)) {
				throw new LitestreamConfigurationException(database.property() + ".path",
						"only one database may omit its path (it then uses the only SQLite DataSource)",
						"Set " + database.property() + ".path to the database file to replicate.");
			}
			if (database.path() != null) {
				String previous = paths.putIfAbsent(database.path(), database.property());
				if (previous != null) {
					throw new LitestreamConfigurationException(database.property() + ".path",
							"the database " + database.path() + " is already configured by " + previous,
							"Configure each database file once and list all its replicas under that entry.");
				}
			}
			databases.add(database);
		}
		return databases;
	}

	private DatabaseSettings database(String prefix, LitestreamProperties.Database db,
			LitestreamProperties properties) {
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
		Path path = StringUtils.hasText(db.getPath()) ? databasePath(prefix + ".path", db.getPath()) : null;
		List<ReplicaSettings> replicas = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (int i = 0; i < db.getReplicas().size(); i++) {
			ReplicaSettings replica = replica(prefix + ".replicas[" + i + "]", db.getReplicas().get(i), properties);
			if (!names.add(replica.name())) {
				throw new LitestreamConfigurationException(replica.property() + ".name",
						"another replica of " + prefix + " is already named '" + replica.name() + "'",
						"Give each replica of a database a distinct " + replica.property()
								+ ".name (a replica without a name is named after its type).");
			}
			replicas.add(replica);
		}
		return new DatabaseSettings(prefix, path, db.getMonitorInterval(), db.getCheckpointInterval(),
				db.getMinCheckpointPageCount(), db.getMaxCheckpointPageCount(), db.getMaxShadowWalSize().toBytes(),
				db.getRestore().isEnabled(),
				db.getRestore().isIfReplicaExists(), db.getRestore().getParallelism(), db.getRestore().isFallBack(),
				List.copyOf(replicas));
	}

	private static Path databasePath(String property, String value) {
		if (isInMemory(value)) {
			throw new LitestreamConfigurationException(property,
					"'" + value + "' is an in-memory database, which has no file to replicate",
					"Point " + property + " at a database file, or remove the entry.");
		}
		String name = value.startsWith("jdbc:sqlite:") ? value.substring("jdbc:sqlite:".length()) : value;
		Path path;
		try {
			path = (name.startsWith("file:")) ? SqliteJdbcUrl.parse("jdbc:sqlite:" + name).path()
					: Path.of(expandHome(name));
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
			Files.createDirectories(absolute.getParent());
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

	private ReplicaSettings replica(String prefix, LitestreamProperties.Replica replica,
			LitestreamProperties properties) {
		Location location = location(prefix, replica);
		String type = location.type();
		if (!this.replicaTypes.contains(type)) {
			throw unknownType(prefix, type);
		}
		if (type.equals("file") && !StringUtils.hasText(location.path())) {
			throw new LitestreamConfigurationException(prefix + ".path", "a file replica needs a directory",
					"Set " + prefix + ".path to the backup directory, or " + prefix + ".url to file:///dir.");
		}
		if (type.equals("s3") && !StringUtils.hasText(location.bucket())) {
			throw new LitestreamConfigurationException(prefix + ".bucket", "an s3 replica needs a bucket",
					"Set " + prefix + ".url to s3://bucket/path, or " + prefix + ".bucket.");
		}
		String path = type.equals("file") ? expandHome(location.path()) : location.path();
		String name = StringUtils.hasText(replica.getName()) ? replica.getName() : type;
		ReplicaOptions options = options(prefix, replica, name);
		String accessKeyId = firstText(replica.getAccessKeyId(), properties.getAccessKeyId());
		String secretAccessKey = firstText(replica.getSecretAccessKey(), properties.getSecretAccessKey());
		return new ReplicaSettings(prefix, type, location.bucket(), path, replica.getRegion(), replica.getEndpoint(),
				replica.getForcePathStyle(), replica.isSkipVerify(), accessKeyId, secretAccessKey, options);
	}

	/**
	 * Where a replica lives: from its {@code url}, or from {@code type}, {@code bucket} and
	 * {@code path}. Without a type, a bucket means S3 and anything else a directory.
	 */
	private static Location location(String prefix, LitestreamProperties.Replica replica) {
		String type = lower(replica.getType());
		if (!StringUtils.hasText(replica.getUrl())) {
			String inferred = (type != null) ? type : (StringUtils.hasText(replica.getBucket()) ? "s3" : "file");
			return new Location(inferred, replica.getBucket(), replica.getPath());
		}
		if (StringUtils.hasText(replica.getPath())) {
			throw new LitestreamConfigurationException(prefix + ".path",
					"both url and path are set, so the replica's location is ambiguous",
					"Remove either " + prefix + ".url or " + prefix + ".path.");
		}
		URI uri = replicaUrl(prefix + ".url", replica.getUrl());
		String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
		if (type != null && !type.equals(scheme)) {
			throw new LitestreamConfigurationException(prefix + ".type",
					"type '" + type + "' contradicts the url's scheme '" + scheme + "'",
					"Remove " + prefix + ".type; the url's scheme sets it.");
		}
		if (scheme.equals("file")) {
			if (StringUtils.hasText(uri.getHost()) && !"localhost".equalsIgnoreCase(uri.getHost())) {
				throw new LitestreamConfigurationException(prefix + ".url",
						"'" + replica.getUrl() + "' names a host ('" + uri.getHost() + "'), not a local directory",
						"Write the url as file:///absolute/directory (three slashes), or set " + prefix
								+ ".path instead.");
			}
			return new Location(scheme, null, uri.getPath());
		}
		if (!StringUtils.hasText(uri.getHost())) {
			throw new LitestreamConfigurationException(prefix + ".url", "'" + replica.getUrl() + "' names no bucket",
					"Write the url as " + scheme + "://bucket/path.");
		}
		return new Location(scheme, uri.getHost(), trimLeadingSlash(uri.getPath()));
	}

	private LitestreamConfigurationException unknownType(String prefix, String type) {
		if (type.equals("s3")) {
			return new LitestreamConfigurationException(prefix + ".type",
					"an s3 replica needs the AWS SDK for Java v2, which is not on the classpath",
					"Add software.amazon.awssdk:s3 to the application's dependencies.");
		}
		return new LitestreamConfigurationException(prefix + ".type", "unknown replica type '" + type + "'",
				"Set " + prefix + ".type to one of " + String.join(", ", this.replicaTypes.stream().sorted().toList())
						+ ".");
	}

	private static ReplicaOptions options(String prefix, LitestreamProperties.Replica replica, String name) {
		positive(replica.getSyncInterval(), prefix + ".sync-interval");
		notNegative(replica.getSnapshotInterval(), prefix + ".snapshot-interval");
		notNegative(replica.getRetention(), prefix + ".retention");
		positive(replica.getRetentionCheckInterval(), prefix + ".retention-check-interval");
		notNegative(replica.getValidationInterval(), prefix + ".validation-interval");
		Duration retention = replica.getRetention();
		Duration snapshotInterval = replica.getSnapshotInterval();
		if (!retention.isZero() && !snapshotInterval.isZero() && retention.compareTo(snapshotInterval) < 0) {
			throw new LitestreamConfigurationException(prefix + ".retention",
					"retention (" + retention + ") is shorter than snapshot-interval (" + snapshotInterval
							+ "), so the only snapshot a restore needs could be deleted",
					"Set " + prefix + ".retention to at least " + prefix + ".snapshot-interval.");
		}
		return new ReplicaOptions(name, replica.getSyncInterval(), snapshotInterval, retention,
				replica.getRetentionCheckInterval(), replica.getValidationInterval());
	}

	private static URI replicaUrl(String property, String url) {
		try {
			URI uri = new URI(url);
			if (uri.getScheme() == null) {
				throw new LitestreamConfigurationException(property, "'" + url + "' has no scheme",
						"Write the url as s3://bucket/path or file:///directory.");
			}
			return uri;
		}
		catch (URISyntaxException ex) {
			throw new LitestreamConfigurationException(property, "'" + url + "' is not a valid URL",
					"Write the url as s3://bucket/path or file:///directory.", ex);
		}
	}

	private static void positive(Duration duration, String property) {
		if (duration == null || duration.isZero() || duration.isNegative()) {
			throw new LitestreamConfigurationException(property, "must be positive, not " + duration,
					"Set " + property + " to a positive duration such as 1s or 1m.");
		}
	}

	private static void notNegative(Duration duration, String property) {
		if (duration == null || duration.isNegative()) {
			throw new LitestreamConfigurationException(property, "must not be negative, not " + duration,
					"Set " + property + " to a positive duration, or 0s to turn it off.");
		}
	}

	private static String expandHome(String path) {
		if (path.equals("~") || path.startsWith("~/")) {
			return System.getProperty("user.home") + path.substring(1);
		}
		return path;
	}

	private static @Nullable String trimLeadingSlash(@Nullable String path) {
		String trimmed = (path != null) ? path.replaceFirst("^/+", "") : "";
		return trimmed.isEmpty() ? null : trimmed;
	}

	private static @Nullable String lower(@Nullable String value) {
		return StringUtils.hasText(value) ? value.trim().toLowerCase(Locale.ROOT) : null;
	}

	private static @Nullable String firstText(@Nullable String first, @Nullable String second) {
		return StringUtils.hasText(first) ? first : (StringUtils.hasText(second) ? second : null);
	}

	private record Location(String type, @Nullable String bucket, @Nullable String path) {
	}

}
