package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3ProxyServer;
import io.github.litestream.replica.s3.S3ReplicaClient;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One SQLite database per tenant behind an {@link AbstractRoutingDataSource}, replicated to
 * S3 (S3Proxy) by a {@code dir} entry: a tenant's database is created, replicated at once,
 * restored on boot, evicted from the local disk and restored on its next request, and deleted
 * with its backups. The routing DataSource below is the example of docs/configuration.md.
 */
class TenantRoutingDataSourceTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@TempDir
	Path dir;

	@AfterEach
	void clearTenant() {
		Tenant.clear();
	}

	@Test
	void tenantsAreReplicatedRestoredOnBootRestoredOnDemandAndDeleted() throws Exception {
		String bucket = server.createBucket();
		Path tenants = Files.createDirectories(this.dir.resolve("tenants"));
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withUserConfiguration(TenantConfiguration.class)
			.withPropertyValues("app.tenants=" + tenants, "litestream.dbs[0].dir=" + tenants,
					"litestream.access-key-id=" + S3ProxyServer.ACCESS_KEY_ID,
					"litestream.secret-access-key=" + S3ProxyServer.SECRET_ACCESS_KEY,
					"litestream.dbs[0].replicas[0].url=s3://" + bucket + "/tenants",
					"litestream.dbs[0].replicas[0].endpoint=" + server.endpoint(),
					"litestream.dbs[0].replicas[0].sync-interval=100ms");
		runner.run((context) -> {
			assertThat(context).hasNotFailed();
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			createNotes(jdbc, "acme", 10);
			createNotes(jdbc, "globex", 20);
			// Replicated at once, not at the next scan of the directory.
			assertThat(context.getBean(Litestream.class).databases()).extracting(ReplicatedDatabase::path)
				.containsExactlyInAnyOrder(tenants.resolve("acme.db"), tenants.resolve("globex.db"));
		});
		FileSystemUtils.deleteRecursively(tenants);
		Files.createDirectories(tenants);
		runner.run((context) -> {
			assertThat(context).hasNotFailed();
			// Restore-on-boot brought back every tenant the replica holds, before any request.
			assertThat(tenants.resolve("acme.db")).exists();
			assertThat(tenants.resolve("globex.db")).exists();
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(countNotes(jdbc, "acme")).isEqualTo(10);
			assertThat(countNotes(jdbc, "globex")).isEqualTo(20);
			Tenant.set("acme");
			jdbc.update("INSERT INTO note (text) VALUES ('after the restore')");
			TenantRoutingDataSource routing = context.getBean(TenantRoutingDataSource.class);
			routing.evict("acme", Backups.KEEP);
			assertThat(tenants.resolve("acme.db")).doesNotExist();
			assertThat(countNotes(jdbc, "acme")).isEqualTo(11);
			routing.evict("globex", Backups.DELETE);
			assertThat(replicatedTenants(bucket)).containsExactly("acme.db");
			// Its next request starts it afresh: no backup to restore.
			assertThat(notesTables(jdbc, "globex")).isZero();
		});
	}

	private static java.util.List<String> replicatedTenants(String bucket) throws IOException {
		S3ReplicaConfig config = server.config(bucket, "tenants");
		try (S3Client s3 = S3ClientFactory.builder().environment((name) -> null).build().create(config)) {
			return new S3ReplicaClient(s3, config, ReplicaOperationListener.NONE).databasesBelow(false);
		}
	}

	private static void createNotes(JdbcTemplate jdbc, String tenant, int rows) {
		Tenant.set(tenant);
		jdbc.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)");
		for (int i = 0; i < rows; i++) {
			jdbc.update("INSERT INTO note (text) VALUES (?)", tenant + " " + i);
		}
	}

	private static long countNotes(JdbcTemplate jdbc, String tenant) {
		Tenant.set(tenant);
		return Objects.requireNonNull(jdbc.queryForObject("SELECT count(*) FROM note", Long.class));
	}

	private static long notesTables(JdbcTemplate jdbc, String tenant) {
		Tenant.set(tenant);
		return Objects.requireNonNull(
				jdbc.queryForObject("SELECT count(*) FROM sqlite_master WHERE name = 'note'", Long.class));
	}

	/** The current request's tenant, as a web filter or an interceptor would set it. */
	static final class Tenant {

		private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

		static void set(String tenant) {
			CURRENT.set(tenant);
		}

		static String get() {
			return CURRENT.get();
		}

		static void clear() {
			CURRENT.remove();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TenantConfiguration {

		@Bean
		TenantRoutingDataSource dataSource(LitestreamTenants tenants, Environment environment) {
			return new TenantRoutingDataSource(tenants, Path.of(environment.getRequiredProperty("app.tenants")));
		}

	}

	/**
	 * Routes each connection to the current tenant's database, created on the tenant's first
	 * request through {@link LitestreamTenants}: restored if its file is missing, replicated at
	 * once.
	 */
	static final class TenantRoutingDataSource extends AbstractRoutingDataSource {

		private final LitestreamTenants tenants;

		private final Path directory;

		private final Map<String, DataSource> dataSources = new ConcurrentHashMap<>();

		TenantRoutingDataSource(LitestreamTenants tenants, Path directory) {
			this.tenants = tenants;
			this.directory = directory;
			setTargetDataSources(Map.of());
			setLenientFallback(false);
		}

		@Override
		protected Object determineCurrentLookupKey() {
			return Objects.requireNonNull(Tenant.get(), "No tenant selected");
		}

		@Override
		protected DataSource determineTargetDataSource() {
			return this.dataSources.computeIfAbsent((String) determineCurrentLookupKey(), this::open);
		}

		private DataSource open(String tenant) {
			try {
				return this.tenants.dataSource(file(tenant));
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not open the database of tenant " + tenant, ex);
			}
		}

		/** Closes a tenant's DataSource and deletes its local database, keeping or deleting its backups. */
		void evict(String tenant, Backups backups) throws IOException {
			// A pool would be closed here; SQLiteDataSource holds no connection of its own.
			this.dataSources.remove(tenant);
			this.tenants.delete(file(tenant), backups);
		}

		private Path file(String tenant) {
			return this.directory.resolve(tenant + ".db");
		}

	}

}
