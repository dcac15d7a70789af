package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import io.github.litestream.HomeDirectory;
import io.github.litestream.replica.s3.S3ClientFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * The {@code litestream.*} configuration of an {@link ConfigurableEnvironment}, read and
 * validated outside an application context exactly as the auto-configuration reads it in a
 * running application: {@code $VAR} expansion ({@link LitestreamEnvironmentPostProcessor}),
 * binding of {@link LitestreamProperties}, the replica types whose providers are on the class
 * path, and {@link LitestreamPropertiesValidator}. For tools such as {@code litestream-cli},
 * which so see exactly the replicas the application uses, with the same error messages.
 *
 * <p>Unlike the application, it creates no directory. A {@code dbs} entry without a path gets the file of {@code spring.datasource.url} when
 * that is a SQLite URL, as the application's only SQLite DataSource would give it. Closing
 * releases the clients the providers share (S3).
 */
public final class StandaloneLitestreamConfiguration implements AutoCloseable {

	private final List<DatabaseSettings> databases;

	/** The entries with {@code dir}, whose databases are found by path. */
	private final List<DatabaseSettings> directories;

	private final ReplicaClientFactory clients;

	private final List<ReplicaClientProvider> providers;

	private StandaloneLitestreamConfiguration(List<DatabaseSettings> databases, List<DatabaseSettings> directories,
			ReplicaClientFactory clients, List<ReplicaClientProvider> providers) {
		this.databases = databases;
		this.directories = directories;
		this.clients = clients;
		this.providers = providers;
	}

	/**
	 * Reads the configuration, expanding references to the process's environment variables.
	 * @param environment the property sources, such as a configuration file's
	 * @return the validated configuration
	 * @throws LitestreamConfigurationException naming the property and the fix when it is wrong
	 */
	public static StandaloneLitestreamConfiguration read(ConfigurableEnvironment environment) {
		return read(environment, System::getenv);
	}

	/**
	 * Reads the configuration.
	 * @param environment the property sources
	 * @param environmentVariables looks up the variables {@code $VAR} references expand to
	 * @return the validated configuration
	 * @throws LitestreamConfigurationException naming the property and the fix when it is wrong
	 */
	public static StandaloneLitestreamConfiguration read(ConfigurableEnvironment environment,
			UnaryOperator<String> environmentVariables) {
		new LitestreamEnvironmentPostProcessor(environmentVariables).postProcessEnvironment(environment, null);
		// Checked while bound as in the application (a duration without its unit, a boolean that is not).
		Binder binder = Binder.get(environment,
				new LitestreamBindHandler(new PropertySourcesPlaceholdersResolver(environment)));
		LitestreamProperties properties = LitestreamBindHandler
			.unwrapped(() -> binder.bind("litestream", LitestreamProperties.class))
			.orElseGet(LitestreamProperties::new);
		List<ReplicaClientProvider> providers = providers(properties, environment);
		ReplicaClientFactory clients = new ReplicaClientFactory(providers);
		List<DatabaseSettings> validated = new LitestreamPropertiesValidator(clients,
				ReplicaEntrySource.of(environment), false)
			.validate(properties);
		List<DatabaseSettings> databases = validated.stream()
			// A directory entry names no single database: a tool opens its databases by path.
			.filter((database) -> database.directory() == null)
			.map((database) -> withDataSourcePath(database, environment))
			.toList();
		List<DatabaseSettings> directories = validated.stream()
			.filter((database) -> database.directory() != null)
			.toList();
		return new StandaloneLitestreamConfiguration(databases, directories, clients, providers);
	}

	/**
	 * The replica types a tool can open: one line per backend whose library is on the class
	 * path (the {@code file} type is built into {@link ReplicaClientFactory}).
	 */
	private static List<ReplicaClientProvider> providers(LitestreamProperties properties,
			ConfigurableEnvironment environment) {
		List<ReplicaClientProvider> providers = new ArrayList<>();
		if (isPresent("software.amazon.awssdk.services.s3.S3Client")) {
			providers.add(S3Provider.create(properties));
		}
		if (isPresent("io.github.litestream.replica.sftp.SftpReplicaClient")) {
			providers.add(SftpProvider.create());
		}
		if (isPresent("io.github.litestream.replica.abs.AbsReplicaClient")) {
			providers.add(CloudProviders.abs(environment));
		}
		if (isPresent("io.github.litestream.replica.gcs.GcsReplicaClient")) {
			providers.add(CloudProviders.gcs(environment));
		}
		return providers;
	}

	private static boolean isPresent(String className) {
		return ClassUtils.isPresent(className, StandaloneLitestreamConfiguration.class.getClassLoader());
	}

	private static DatabaseSettings withDataSourcePath(DatabaseSettings database, ConfigurableEnvironment environment) {
		String url = environment.getProperty("spring.datasource.url");
		if (database.path() != null || !SqliteJdbcUrl.isSqlite(url)) {
			return database;
		}
		Path file = SqliteJdbcUrl.parse(url).path();
		return (file != null) ? database.withPath(SqliteJdbcUrl.canonical(file)) : database;
	}

	/**
	 * The configured databases.
	 * @return their settings in configuration order; a path is {@code null} only for an entry
	 * that names none while no SQLite {@code spring.datasource.url} gives it one
	 */
	public List<DatabaseSettings> databases() {
		return this.databases;
	}

	/**
	 * The configured database of a file, however the file is spelled (relative, through a
	 * symbolic link, from {@code ~}).
	 * @param file a database file, as typed
	 * @return its settings, or empty if no entry configures it
	 */
	public Optional<DatabaseSettings> database(String file) {
		Path canonical = SqliteJdbcUrl.canonical(Path.of(HomeDirectory.expand(file)));
		Optional<DatabaseSettings> configured = this.databases.stream()
			.filter((database) -> canonical.equals(database.path()))
			.findFirst();
		if (configured.isPresent()) {
			return configured;
		}
		// A database of a dir entry (a tenant): its replicas are the entry's, below its path.
		return this.directories.stream()
			.filter((entry) -> entry.directory().holds(canonical))
			.findFirst()
			.map((entry) -> entry.inDirectory(entry.directory().relative(canonical)));
	}

	/**
	 * Creates the clients of the configured replicas.
	 * @return the factory
	 */
	public ReplicaClientFactory clients() {
		return this.clients;
	}

	@Override
	public void close() throws Exception {
		for (ReplicaClientProvider provider : this.providers) {
			if (provider instanceof DisposableBean disposable) {
				disposable.destroy();
			}
		}
	}

	/** Keeps Azure and Google types out of this class, for tools without those modules. */
	private static final class CloudProviders {

		static ReplicaClientProvider abs(ConfigurableEnvironment environment) {
			return new AbsReplicaClientProvider(io.github.litestream.replica.abs.AbsClientFactory.withDefaults(),
					environment::getProperty);
		}

		static ReplicaClientProvider gcs(ConfigurableEnvironment environment) {
			return new GcsReplicaClientProvider(
					io.github.litestream.replica.gcs.GcsClientFactory.withDefaults(environment::getProperty));
		}

	}

	/** Keeps SFTP types out of this class, for tools without the SFTP module. */
	private static final class SftpProvider {

		static ReplicaClientProvider create() {
			return new SftpReplicaClientProvider();
		}

	}

	private static final class S3Provider {

		static ReplicaClientProvider create(LitestreamProperties properties) {
			S3ClientFactory factory = S3ClientFactory.builder()
				.fallbackCredentials(properties.getAccessKeyId(), properties.getSecretAccessKey())
				.build();
			return new S3ReplicaClientProvider(factory, properties.getAccessKeyId(), properties.getSecretAccessKey());
		}

	}

}
