package io.github.litestream.boot.autoconfigure;

import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

import io.github.litestream.EngineThreads;
import io.github.litestream.Litestream;
import io.github.litestream.boot.transaction.AwaitReplicationPostProcessor;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.abs.AbsClientFactory;
import io.github.litestream.replica.gcs.GcsClientFactory;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.restore.ReplicaValidator;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration for Litestream replication of SQLite databases: restore-on-boot and
 * pragmas for the application's SQLite DataSources, and the replication lifecycle.
 *
 * <p>It is ordered after the DataSource auto-configuration and before Flyway and Liquibase,
 * but the guarantee that nothing opens a database before it is restored comes from
 * {@link SqliteDataSourceBeanPostProcessor}, which works inside the DataSource's creation.
 */
// After the availability bean, so that it hears of Spring Boot's readiness before the standby
// readiness that may overrule it.
@AutoConfiguration(afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
		"org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration" },
		beforeName = { "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
				"org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration" })
@ConditionalOnClass(name = "org.sqlite.SQLiteConnection")
@ConditionalOnProperty(prefix = "litestream", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(LitestreamProperties.class)
@ImportRuntimeHints({ LitestreamRuntimeHints.class, Lz4RuntimeHints.class })
public final class LitestreamAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ReplicaClientFactory litestreamReplicaClientFactory(ObjectProvider<ReplicaClientProvider> providers) {
		return new ReplicaClientFactory(providers.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	LitestreamDatabases litestreamDatabases(LitestreamProperties properties, ReplicaClientFactory clients,
			Environment environment, ConfigurableListableBeanFactory beanFactory) {
		return new LitestreamDatabases(properties, clients, environment, beanFactory);
	}

	@Bean
	@ConditionalOnMissingBean
	LitestreamRestoreInitializer litestreamRestoreInitializer(LitestreamDatabases databases,
			ReplicaClientFactory clients, ObjectProvider<Litestream> engine) {
		return new LitestreamRestoreInitializer(databases, clients, () -> engine.getObject().leaseHolder());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	Litestream litestream(ObjectProvider<Litestream.ReplicaValidation> validation, LitestreamProperties properties) {
		Clock clock = Clock.systemUTC();
		ReplicaValidator validator = new ReplicaValidator(clock);
		LitestreamPropertiesValidator.atLeastOne(properties.getCaptureThreads(), "litestream.capture-threads");
		LitestreamPropertiesValidator.atLeastOne(properties.getReplicaThreads(), "litestream.replica-threads");
		EngineThreads defaults = EngineThreads.defaults();
		EngineThreads threads = new EngineThreads(
				(properties.getCaptureThreads() != null) ? properties.getCaptureThreads() : defaults.capture(),
				(properties.getReplicaThreads() != null) ? properties.getReplicaThreads() : defaults.replica());
		return new Litestream(clock, validation.getIfAvailable(() -> validator::validate), threads);
	}

	/**
	 * Replication. It takes the restore step as a parameter only so that the restores ran
	 * before replication can start, even with lazy initialization.
	 */
	@Bean
	@ConditionalOnMissingBean
	LitestreamLifecycle litestreamLifecycle(Litestream litestream, LitestreamDatabases databases,
			LitestreamRestoreInitializer restore, ReplicaClientFactory clients, LitestreamProperties properties,
			ObjectProvider<ReplicaOperationListenerFactory> listeners, LitestreamStandbys standbys) {
		return new LitestreamLifecycle(litestream, databases, clients, properties,
				listeners.getIfAvailable(() -> (database, replica) -> ReplicaOperationListener.NONE), standbys,
				restore);
	}

	@Bean
	@ConditionalOnMissingBean
	LitestreamStandbys litestreamStandbys() {
		return new LitestreamStandbys(Clock.systemUTC());
	}

	/**
	 * Readiness that follows the role: a standby, or an instance another one replaced as the
	 * holder of a lease, refuses traffic.
	 */
	@Bean
	@ConditionalOnMissingBean
	LitestreamReadiness litestreamReadiness(Litestream litestream, LitestreamStandbys standbys,
			ApplicationEventPublisher publisher, ObjectProvider<ApplicationAvailability> availability) {
		return new LitestreamReadiness(litestream, standbys, publisher, availability);
	}

	@Bean
	@ConditionalOnMissingBean
	LitestreamTenants litestreamTenants(LitestreamLifecycle lifecycle, LitestreamProperties properties) {
		return new LitestreamTenants(lifecycle, properties);
	}

	/**
	 * Checks {@code litestream.*} values as they are bound ({@link LitestreamBindHandler}). Not
	 * conditional on a missing bean: an application's own advisor is for its own properties.
	 */
	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static ConfigurationPropertiesBindHandlerAdvisor litestreamBindHandlerAdvisor(Environment environment) {
		PropertySourcesPlaceholdersResolver placeholders = new PropertySourcesPlaceholdersResolver(environment);
		return (handler) -> new LitestreamBindHandler(handler, placeholders);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static SqliteDataSourceBeanPostProcessor litestreamSqliteDataSourceBeanPostProcessor(
			ObjectProvider<LitestreamDatabases> databases, ObjectProvider<LitestreamRestoreInitializer> restore,
			ObjectProvider<LitestreamProperties> properties, ObjectProvider<Litestream> engine,
			ObjectProvider<LitestreamStandbys> standbys) {
		return new SqliteDataSourceBeanPostProcessor(databases, restore, properties, engine, standbys);
	}

	/**
	 * A standby's Flyway migration waits for its takeover, when Flyway is there and the
	 * application has no migration strategy of its own.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.flywaydb.core.Flyway",
			"org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy" })
	static class StandbyFlywayConfiguration {

		@Bean
		@ConditionalOnMissingBean(type = "org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy")
		StandbyFlywayMigrationStrategy litestreamFlywayMigrationStrategy(ObjectProvider<LitestreamStandbys> standbys,
				ObjectProvider<LitestreamProperties> properties) {
			return new StandbyFlywayMigrationStrategy(standbys, properties);
		}

	}

	/**
	 * {@code @AwaitReplication} methods, when Spring's transaction support is there.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.transaction.support.TransactionSynchronizationManager")
	static class AwaitReplicationConfiguration {

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		@ConditionalOnMissingBean
		static AwaitReplicationPostProcessor litestreamAwaitReplicationPostProcessor(ObjectProvider<Litestream> engine,
				ObjectProvider<LitestreamDatabases> databases) {
			return new AwaitReplicationPostProcessor(
					() -> new EngineReplicationAwaiter(engine.getObject(), databases.getObject()));
		}

	}

	/**
	 * The S3 backend, only when the AWS SDK is on the classpath: S3 types are referenced
	 * nowhere else, so applications with file replicas only don't need the SDK.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "software.amazon.awssdk.services.s3.S3Client")
	static class S3ReplicaConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "litestreamS3ReplicaClientProvider")
		S3ReplicaClientProvider litestreamS3ReplicaClientProvider(LitestreamProperties properties,
				ObjectProvider<AwsCredentialsProvider> credentials,
				ObjectProvider<S3ReplicaClientCustomizer> customizers,
				ObjectProvider<S3StoreDefaults> springCloudAws,
				ObjectProvider<LitestreamS3ConnectionDetails> serviceConnection) {
			List<Consumer<S3ClientBuilder>> builderCustomizers = customizers.orderedStream()
				.<Consumer<S3ClientBuilder>>map((customizer) -> customizer::customize)
				.toList();
			// A service connection replaces the litestream.* keys, as Spring Boot's do.
			LitestreamS3ConnectionDetails connection = serviceConnection.getIfAvailable();
			String accessKeyId = (connection != null) ? connection.accessKeyId() : properties.getAccessKeyId();
			String secretAccessKey = (connection != null) ? connection.secretAccessKey()
					: properties.getSecretAccessKey();
			S3StoreDefaults store = (connection != null) ? S3StoreDefaults.serviceConnection(connection)
					: springCloudAws.getIfAvailable(() -> S3StoreDefaults.NONE);
			S3ClientFactory factory = S3ClientFactory.builder()
				.fallbackCredentials(accessKeyId, secretAccessKey)
				.defaultCredentials(credentials.getIfUnique())
				.customizers(builderCustomizers)
				.build();
			return new S3ReplicaClientProvider(factory, accessKeyId, secretAccessKey, store);
		}

		/**
		 * Spring Cloud AWS's S3 settings, only when the application has Spring Cloud AWS: its
		 * keys configure nothing without it, so they don't here either.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "io.awspring.cloud.autoconfigure.core.AwsAutoConfiguration")
		static class SpringCloudAwsConfiguration {

			@Bean
			@ConditionalOnMissingBean
			S3StoreDefaults litestreamSpringCloudAwsS3Defaults(Environment environment,
					ObjectProvider<AwsRegionProvider> regions) {
				return S3StoreDefaults.springCloudAws(environment, regions.getIfUnique());
			}

		}

	}

	/**
	 * The Azure Blob Storage backend, only when litestream-replica-abs and the Azure SDK are on
	 * the classpath.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "io.github.litestream.replica.abs.AbsReplicaClient",
			"com.azure.storage.blob.BlobContainerClient" })
	static class AbsReplicaConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "litestreamAbsReplicaClientProvider")
		AbsReplicaClientProvider litestreamAbsReplicaClientProvider(Environment environment) {
			return new AbsReplicaClientProvider(AbsClientFactory.withDefaults(), environment::getProperty);
		}

	}

	/**
	 * The Google Cloud Storage backend, only when litestream-replica-gcs and Google's client are
	 * on the classpath.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "io.github.litestream.replica.gcs.GcsReplicaClient",
			"com.google.cloud.storage.Storage" })
	static class GcsReplicaConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "litestreamGcsReplicaClientProvider")
		GcsReplicaClientProvider litestreamGcsReplicaClientProvider(Environment environment) {
			return new GcsReplicaClientProvider(GcsClientFactory.withDefaults(environment::getProperty));
		}

	}

}
