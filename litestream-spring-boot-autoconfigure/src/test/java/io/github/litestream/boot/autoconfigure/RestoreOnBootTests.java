package io.github.litestream.boot.autoconfigure;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.file.FileReplicaClient;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restore-on-boot happens inside the DataSource's creation, so Flyway only ever sees the
 * restored database: it keeps its history and only pending migrations run.
 */
class RestoreOnBootTests {

	private static final String MIGRATIONS = "classpath:db/litestream-boot-test";

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class,
				LitestreamAutoConfiguration.class))
		.withPropertyValues("spring.flyway.locations=" + MIGRATIONS);

	@Test
	void restoredDatabaseKeepsItsFlywayHistoryAndOnlyPendingMigrationsRun() throws Exception {
		Path replica = this.dir.resolve("replica");
		String v1InstalledOn = seedReplica(replica);
		Path db = this.dir.resolve("data/app.db");
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + db,
					"litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
				assertThat(jdbc.queryForList("SELECT text FROM note ORDER BY id", String.class))
					.containsExactly("from-migration", "written-after-migration");
				assertThat(jdbc.queryForList("SELECT version FROM flyway_schema_history ORDER BY installed_rank",
						String.class))
					.containsExactly("1", "2");
				assertThat(jdbc.queryForObject(
						"SELECT installed_on FROM flyway_schema_history WHERE version = '1'", String.class))
					.isEqualTo(v1InstalledOn);
			});
	}

	@Test
	void sqlInitRunsOnTheRestoredDatabase() throws Exception {
		Path replica = this.dir.resolve("replica");
		seedReplica(replica);
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					DataSourceInitializationAutoConfiguration.class, LitestreamAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
					"spring.sql.init.mode=always", "spring.sql.init.data-locations=classpath:db/litestream-boot-test-data.sql",
					"litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
				assertThat(jdbc.queryForList("SELECT text FROM note ORDER BY id", String.class))
					.containsExactly("from-migration", "written-after-migration", "from-sql-init");
			});
	}

	@Test
	void emptyReplicaStartsAnEmptyDatabaseThatFlywayMigrates() throws Exception {
		Path db = this.dir.resolve("app.db");
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + db,
					"litestream.dbs[0].replicas[0].path=" + Files.createDirectories(this.dir.resolve("replica")))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
				assertThat(jdbc.queryForList("SELECT text FROM note", String.class)).containsExactly("from-migration");
			});
	}

	@Test
	void emptyReplicaFailsStartupWhenABackupIsRequired() {
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
					"litestream.dbs[0].restore.if-replica-exists=false")
			.run((context) -> {
				var analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'litestream.dbs[0].restore.if-replica-exists'")
					.contains("none of its replicas holds a backup");
				assertThat(analysis.getAction()).contains("if-replica-exists to true");
				assertThat(this.dir.resolve("app.db")).doesNotExist();
				// The failed start leaves the (maybe mistyped) replica path as it found it.
				assertThat(this.dir.resolve("replica")).doesNotExist();
			});
	}

	@Test
	void failedStartRemovesOnlyTheReplicaDirectoriesItCreated() throws Exception {
		Path existing = Files.createDirectories(this.dir.resolve("backups"));
		Files.writeString(existing.resolve("notes.txt"), "the user's");
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].path=" + existing.resolve("tpyo/app"),
					"litestream.dbs[0].restore.if-replica-exists=false")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(existing.resolve("tpyo")).doesNotExist();
				assertThat(existing.resolve("notes.txt")).hasContent("the user's");
			});
	}

	@Test
	void twoDatabasesOnOneReplicaLocationFailStartupBeforeEitherIsRestored() throws Exception {
		Path replica = this.dir.resolve("replica");
		seedReplica(replica);
		Path app = this.dir.resolve("app.db");
		Path audit = this.dir.resolve("audit.db");
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + app, "litestream.dbs[0].path=" + app,
					"litestream.dbs[0].replicas[0].path=" + replica, "litestream.dbs[1].path=" + audit,
					"litestream.dbs[1].replicas[0].path=" + replica)
			.run((context) -> {
				var analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'litestream.dbs[1].replicas[0]'")
					.contains("litestream.dbs[0].replicas[0] (" + app + ")")
					.contains("holds the backups of one database");
				assertThat(analysis.getAction()).contains("replica location of its own");
				// Neither was restored: the audit database never got the app's backup.
				assertThat(app).doesNotExist();
				assertThat(audit).doesNotExist();
			});
	}

	@Test
	void theEntryWithoutAPathCountsForSharedReplicaLocationsBeforeItsDataSourceNamesItsFile() throws Exception {
		Path replica = this.dir.resolve("replica");
		seedReplica(replica);
		Path app = this.dir.resolve("app.db");
		Path audit = this.dir.resolve("audit.db");
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + app,
					"litestream.dbs[0].replicas[0].path=" + replica, "litestream.dbs[1].path=" + audit,
					"litestream.dbs[1].replicas[0].path=" + replica)
			.run((context) -> {
				var analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'litestream.dbs[1].replicas[0]'")
					.contains("as is litestream.dbs[0].replicas[0];");
				assertThat(app).doesNotExist();
				assertThat(audit).doesNotExist();
			});
	}

	@Test
	void aReplicaInTheTreeOfADirEntrysReplicaFailsStartupBeforeAnythingIsRestored() throws Exception {
		Path replica = this.dir.resolve("replica");
		seedReplica(replica.resolve("app.db"));
		Path app = this.dir.resolve("app.db");
		Path tenants = Files.createDirectories(this.dir.resolve("tenants"));
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + app, "litestream.dbs[0].path=" + app,
					"litestream.dbs[0].replicas[0].path=" + replica.resolve("app.db"), "litestream.dbs[1].dir=" + tenants,
					"litestream.dbs[1].replicas[0].path=" + replica)
			.run((context) -> {
				var analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'litestream.dbs[1].replicas[0]'")
					.contains("whose tree holds litestream.dbs[0].replicas[0] (" + app + ")");
				assertThat(analysis.getAction()).contains("outside every dir entry's replica");
				// The dir entry's restore would have brought the app's backup back as a tenant.
				assertThat(app).doesNotExist();
				assertThat(tenants.resolve("app.db")).doesNotExist();
			});
	}

	@Test
	void twoDirEntriesOnOneReplicaFailStartup() throws Exception {
		Path replica = this.dir.resolve("replica");
		seedReplica(replica.resolve("acme.db"));
		Path eu = Files.createDirectories(this.dir.resolve("eu"));
		Path us = Files.createDirectories(this.dir.resolve("us"));
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
					"litestream.dbs[0].dir=" + eu, "litestream.dbs[0].replicas[0].path=" + replica,
					"litestream.dbs[1].dir=" + us, "litestream.dbs[1].replicas[0].path=" + replica)
			.run((context) -> {
				var analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'litestream.dbs[1].replicas[0]'")
					.contains("as is litestream.dbs[0].replicas[0] (the databases of " + eu + ")");
				assertThat(eu.resolve("acme.db")).doesNotExist();
				assertThat(us.resolve("acme.db")).doesNotExist();
			});
	}

	@Test
	void aReplicaBesideADirEntrysTreeIsRestoredAsUsual() throws Exception {
		Path replica = this.dir.resolve("replica");
		seedReplica(replica.resolve("app.db"));
		Path app = this.dir.resolve("app.db");
		Path tenants = Files.createDirectories(this.dir.resolve("tenants"));
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + app, "litestream.dbs[0].path=" + app,
					"litestream.dbs[0].replicas[0].path=" + replica.resolve("app.db"), "litestream.dbs[1].dir=" + tenants,
					"litestream.dbs[1].replicas[0].path=" + replica.resolve("tenants"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(app).exists();
			});
	}

	@Test
	void existingDatabaseIsNeverReplaced() throws Exception {
		Path replica = this.dir.resolve("replica");
		seedReplica(replica);
		Path db = this.dir.resolve("app.db");
		migrate(db, "2");
		new JdbcTemplate(dataSource(db)).update("INSERT INTO note (text) VALUES ('local')");
		// What a restore killed before it finished leaves; the next start removes it.
		Path leftover = Files.writeString(this.dir.resolve(".app.db-restore-" + UUID.randomUUID() + ".db"), "half a restore");
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + db,
					"litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
				assertThat(jdbc.queryForList("SELECT text FROM note ORDER BY id", String.class))
					.containsExactly("from-migration", "local");
				assertThat(leftover).doesNotExist();
			});
	}

	@Test
	void anEmptyFileIsRestoredOverAsIfItWereMissing() throws Exception {
		Path replica = this.dir.resolve("replica");
		seedReplica(replica);
		// What a touch in a container's entrypoint leaves: kept, it would begin a new, empty generation.
		Path db = Files.createFile(this.dir.resolve("app.db"));
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + db,
					"litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
				assertThat(jdbc.queryForList("SELECT text FROM note ORDER BY id", String.class))
					.containsExactly("from-migration", "written-after-migration");
			});
	}

	@Test
	void databaseWithoutADataSourceIsRestoredToo() throws Exception {
		Path replica = this.dir.resolve("replica");
		seedReplica(replica);
		Path db = this.dir.resolve("second/other.db");
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withPropertyValues("litestream.dbs[0].path=" + db, "litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(new JdbcTemplate(dataSource(db)).queryForList("SELECT text FROM note", String.class))
					.contains("written-after-migration");
			});
	}

	@Test
	void databaseWithoutADataSourceIsRestoredBeforeReplicationStartsEvenWithLazyInitialization() throws Exception {
		Path replica = this.dir.resolve("replica");
		seedReplica(replica);
		Path db = this.dir.resolve("second/other.db");
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withInitializer((context) -> context
				.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor()))
			.withPropertyValues("litestream.dbs[0].path=" + db, "litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(LitestreamLifecycle.class).isRunning()).isTrue();
				assertThat(new JdbcTemplate(dataSource(db)).queryForList("SELECT text FROM note", String.class))
					.contains("written-after-migration");
			});
	}

	@Test
	void theRestoreStepRunsBeforeTheFirstSqliteDataSourceIsLetThrough() throws Exception {
		Path replica = this.dir.resolve("replica");
		seedReplica(replica);
		// Each database needs a replica of its own (the engine refuses to share one).
		Path otherReplica = this.dir.resolve("other-replica");
		seedReplica(otherReplica);
		Path other = this.dir.resolve("other/other.db");
		Path app = this.dir.resolve("app.db");
		this.runner.withBean("otherDatabaseWhenTheDataSourceWasReady", DataSourceWatcher.class,
				() -> new DataSourceWatcher(other))
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + app, "litestream.dbs[0].path=" + app,
					"litestream.dbs[0].replicas[0].path=" + replica, "litestream.dbs[1].path=" + other,
					"litestream.dbs[1].replicas[0].path=" + otherReplica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(DataSourceWatcher.class).existed).as("other.db restored first").isTrue();
			});
	}

	/**
	 * Records, when the DataSource is created, whether another database's file already
	 * exists. It runs after Litestream's own post-processor.
	 */
	static final class DataSourceWatcher implements BeanPostProcessor {

		private final Path file;

		volatile Boolean existed;

		DataSourceWatcher(Path file) {
			this.file = file;
		}

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (bean instanceof javax.sql.DataSource && this.existed == null) {
				this.existed = Files.exists(this.file);
			}
			return bean;
		}

	}

	/**
	 * Builds a database with Flyway (V1 only) plus a row, and stores it in a file replica as
	 * a snapshot-only generation, laid out as Litestream does.
	 * @return V1's installed_on, to prove the history is kept
	 */
	private String seedReplica(Path replica) throws Exception {
		Path seed = this.dir.resolve("seed/seed.db");
		Files.createDirectories(seed.getParent());
		migrate(seed, "1");
		JdbcTemplate jdbc = new JdbcTemplate(dataSource(seed));
		jdbc.update("INSERT INTO note (text) VALUES ('written-after-migration')");
		String installedOn = jdbc.queryForObject("SELECT installed_on FROM flyway_schema_history WHERE version = '1'",
				String.class);
		ByteArrayOutputStream compressed = new ByteArrayOutputStream();
		try (OutputStream out = Lz4.compress(compressed)) {
			out.write(Files.readAllBytes(seed));
		}
		try (FileReplicaClient client = new FileReplicaClient(replica)) {
			client.writeSnapshot("0123456789abcdef", 0, new java.io.ByteArrayInputStream(compressed.toByteArray()));
		}
		return installedOn;
	}

	private static void migrate(Path db, String target) {
		Flyway.configure().dataSource(dataSource(db)).locations(MIGRATIONS).target(target).load().migrate();
	}

	private static SimpleDriverDataSource dataSource(Path db) {
		return new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + db);
	}

}
