package io.github.litestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import io.github.litestream.HomeDirectory;
import io.github.litestream.boot.autoconfigure.DatabaseSettings;
import io.github.litestream.boot.autoconfigure.LitestreamConfigurationException;
import io.github.litestream.boot.autoconfigure.ReplicaSettings;
import io.github.litestream.boot.autoconfigure.StandaloneLitestreamConfiguration;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.ReplicaUrls;
import org.jspecify.annotations.Nullable;

/**
 * What a command works on: a database of the configuration and its replicas (or the one
 * {@code -replica} names), or the one replica a URL names. Creates the replicas' clients
 * through the auto-configuration module's providers, and closes what they share.
 */
final class Target implements AutoCloseable {

	/** A replica URL, as Litestream tells one from a path. */
	private static final Pattern URL = Pattern.compile("^\\w+://");

	private static final Path DEFAULT_CONFIG = Path.of("/etc/litestream.yml");

	private final StandaloneLitestreamConfiguration configuration;

	private final @Nullable Path database;

	private final List<ReplicaSettings> replicas;

	/** The configuration file, or {@code null} for a replica URL. */
	private final @Nullable Path configFile;

	private Target(StandaloneLitestreamConfiguration configuration, @Nullable Path database,
			List<ReplicaSettings> replicas, @Nullable Path configFile) {
		this.configuration = configuration;
		this.database = database;
		this.replicas = replicas;
		this.configFile = configFile;
	}

	/**
	 * Resolves the options.
	 * @param options the command's options
	 * @param environment looks up environment variables
	 * @return the target
	 * @throws CliException if the database or replica is not configured
	 */
	static Target resolve(TargetOptions options, UnaryOperator<String> environment) {
		if (isUrl(options.target)) {
			if (options.configuration.config != null) {
				throw new CliException("cannot specify a replica URL and the -config flag: drop -config, or pass the "
						+ "database path instead of the URL");
			}
			try {
				StandaloneLitestreamConfiguration configuration = StandaloneLitestreamConfiguration
					.read(ConfigFile.ofReplicaUrl(options.target), environment);
				return new Target(configuration, null, configuration.databases().get(0).replicas(), null);
			}
			catch (LitestreamConfigurationException ex) {
				throw new CliException("replica URL " + ReplicaUrls.redact(options.target) + ": " + ex.getProblem()
						+ "; use a URL such as file:///backups/app or s3://bucket/app, or a -config file");
			}
		}
		StandaloneLitestreamConfiguration configuration = configuration(options.configuration, environment);
		try {
			return ofDatabase(configuration, options, configFile(options.configuration, environment));
		}
		catch (RuntimeException ex) {
			closeQuietly(configuration);
			throw ex;
		}
	}

	/**
	 * Whether a target names a replica by URL rather than a configured database.
	 * @param target the command's {@code DB_PATH|REPLICA_URL}
	 * @return whether it is a URL
	 */
	static boolean isUrl(String target) {
		return URL.matcher(target).find();
	}

	private static Target ofDatabase(StandaloneLitestreamConfiguration configuration, TargetOptions options,
			Path configFile) {
		DatabaseSettings database = configuration.database(options.target)
			.orElseThrow(() -> new CliException("database not found in config: "
					+ Path.of(HomeDirectory.expand(options.target)).toAbsolutePath()
					+ " is not one of " + configuredPaths(configuration) + "; pass a configured path, another -config, "
					+ "or a replica URL"));
		List<ReplicaSettings> replicas = database.replicas();
		if (options.replica != null) {
			replicas = replicas.stream().filter((replica) -> replica.name().equals(options.replica)).toList();
			if (replicas.isEmpty()) {
				throw new CliException("replica \"" + options.replica + "\" not found for database \"" + database.path()
						+ "\": pass -replica with one of " + names(database.replicas()));
			}
		}
		return new Target(configuration, database.path(), replicas, configFile);
	}

	/**
	 * Reads the configuration named by {@code -config}, {@code $LITESTREAM_CONFIG} or the
	 * default, with a leading {@code ~} expanded to the home directory.
	 * @param options the options
	 * @param environment looks up environment variables
	 * @return the validated configuration
	 */
	static StandaloneLitestreamConfiguration configuration(ConfigOptions options, UnaryOperator<String> environment) {
		return StandaloneLitestreamConfiguration.read(ConfigFile.load(configFile(options, environment),
				options.profiles, !options.noExpandEnv, environment), environment);
	}

	private static Path configFile(ConfigOptions options, UnaryOperator<String> environment) {
		String name = (options.config != null) ? options.config.toString() : environment.apply("LITESTREAM_CONFIG");
		// ~ as Litestream expands it: the shell leaves it in -config=~/x, quotes and variables.
		return (name != null && !name.isEmpty()) ? Path.of(HomeDirectory.expand(name)) : DEFAULT_CONFIG;
	}

	/**
	 * Fails when the configured database has no replica at all: a command that reads one
	 * would otherwise do nothing, and {@code verify} would exit 0 having checked nothing.
	 * @param what what the command would do, such as "verify"
	 * @throws CliException if there is no replica
	 */
	void requireReplicas(String what) {
		if (this.replicas.isEmpty()) {
			throw new CliException(this.database + " has no replica in " + this.configFile + ": nothing to " + what
					+ "; add its replicas to that file (replicas: under its dbs entry)");
		}
	}

	/**
	 * The database file, when the target is a configured database.
	 * @return the canonical path, or {@code null} for a replica URL
	 */
	@Nullable Path database() {
		return this.database;
	}

	/**
	 * The replicas to read, in configuration order.
	 * @return the replicas
	 */
	List<ReplicaSettings> replicas() {
		return this.replicas;
	}

	/**
	 * Creates a client for one of the replicas; the caller closes it.
	 * @param replica the replica
	 * @return the client
	 */
	ReplicaClient open(ReplicaSettings replica) {
		return this.configuration.clients().create(replica, ReplicaOperationListener.NONE);
	}

	@Override
	public void close() throws Exception {
		this.configuration.close();
	}

	/**
	 * When the database or its WAL last changed, as Litestream measures a generation's lag.
	 * @return the newest modification time, or now when the database is missing or the target
	 * is a URL
	 * @throws IOException if the times can't be read
	 */
	Instant databaseUpdatedAt() throws IOException {
		Instant now = Instant.now();
		if (this.database == null || !Files.exists(this.database)) {
			return now;
		}
		Instant updated = Files.getLastModifiedTime(this.database).toInstant();
		Path wal = this.database.resolveSibling(this.database.getFileName() + "-wal");
		if (Files.exists(wal)) {
			Instant walUpdated = Files.getLastModifiedTime(wal).toInstant();
			updated = walUpdated.isAfter(updated) ? walUpdated : updated;
		}
		return updated;
	}

	private static void closeQuietly(StandaloneLitestreamConfiguration configuration) {
		try {
			configuration.close();
		}
		catch (Exception ex) {
			// the failure being reported matters more
		}
	}

	static String names(List<ReplicaSettings> replicas) {
		return String.join(", ", replicas.stream().map(ReplicaSettings::name).toList());
	}

	private static List<String> configuredPaths(StandaloneLitestreamConfiguration configuration) {
		return configuration.databases().stream().map((database) -> String.valueOf(database.path())).toList();
	}

}
