package io.github.litestream.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.litestream.AppDatabase;
import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.DatabaseRegistry;
import io.github.litestream.Litestream;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3ProxyServer;
import io.github.litestream.replica.s3.S3ReplicaClient;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code litestream.dbs[n].dir}: every database of a directory replicated under its relative
 * path, new ones picked up while the application runs, the missing ones restored on boot, and
 * a clear error for every misconfiguration.
 */
class DirectoryReplicationAutoConfigurationTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class));

	@Test
	void everyDatabaseOfTheDirectoryIsReplicatedAndNewOnesArePickedUp() throws Exception {
		Path tenants = Files.createDirectories(this.dir.resolve("tenants"));
		Path replica = this.dir.resolve("replica");
		Map<String, Summary> expected = new LinkedHashMap<>();
		try (AppDatabase before = new AppDatabase(tenants.resolve("acme.db"))) {
			before.insert(10);
			this.runner
				.withPropertyValues("litestream.dbs[0].dir=" + tenants, "litestream.dbs[0].recursive=true",
						"litestream.dbs[0].monitor-interval=100ms", "litestream.dbs[0].replicas[0].path=" + replica,
						"litestream.dbs[0].replicas[0].sync-interval=100ms")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					Litestream engine = context.getBean(Litestream.class);
					Files.createDirectories(tenants.resolve("eu"));
					try (AppDatabase created = new AppDatabase(tenants.resolve("eu/globex.db"))) {
						created.insert(20);
						before.insert(5);
						await().atMost(Duration.ofMinutes(1)).until(() -> engine.databases().size() == 2);
						context.getBean(LitestreamLifecycle.class).stop();
						expected.put("acme.db", before.summary());
						expected.put("eu/globex.db", created.summary());
					}
				});
		}
		for (Map.Entry<String, Summary> tenant : expected.entrySet()) {
			assertThat(restore(new FileReplicaClient(replica.resolve(tenant.getKey())), tenant.getKey()))
				.isEqualTo(tenant.getValue());
		}
	}

	@Test
	void aUrlsEscapesStayEscapesInTheReplicaOfEachDatabase() throws Exception {
		Path tenants = Files.createDirectories(this.dir.resolve("tenants"));
		Path replica = this.dir.resolve("my backups");
		try (AppDatabase tenant = new AppDatabase(tenants.resolve("acme corp.db"))) {
			tenant.insert(10);
			this.runner
				.withPropertyValues("litestream.dbs[0].dir=" + tenants, "litestream.dbs[0].monitor-interval=100ms",
						"litestream.dbs[0].replicas[0].url=file://" + this.dir.toUri().getRawPath() + "my%20backups",
						"litestream.dbs[0].replicas[0].sync-interval=100ms")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					context.getBean(LitestreamLifecycle.class).stop();
				});
			assertThat(restore(new FileReplicaClient(replica.resolve("acme corp.db")), "acme corp.db"))
				.isEqualTo(tenant.summary());
			assertThat(this.dir.resolve("my%20backups")).doesNotExist();
		}
	}

	@Test
	void restoreOnBootRestoresTheDatabasesTheS3ReplicaHoldsAndTheDiskLacks() throws Exception {
		String bucket = server.createBucket();
		Path tenants = Files.createDirectories(this.dir.resolve("tenants"));
		String[] properties = { "litestream.dbs[0].dir=" + tenants, "litestream.dbs[0].monitor-interval=100ms",
				"litestream.access-key-id=" + S3ProxyServer.ACCESS_KEY_ID,
				"litestream.secret-access-key=" + S3ProxyServer.SECRET_ACCESS_KEY,
				"litestream.dbs[0].replicas[0].url=s3://" + bucket + "/tenants",
				"litestream.dbs[0].replicas[0].endpoint=" + server.endpoint(),
				"litestream.dbs[0].replicas[0].sync-interval=100ms" };
		List<AppDatabase> apps = new ArrayList<>();
		int rows = 10;
		for (String name : new String[] { "a.db", "b.db", "c.db" }) {
			AppDatabase app = new AppDatabase(tenants.resolve(name));
			app.insert(rows);
			rows += 10;
			apps.add(app);
		}
		this.runner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(Litestream.class).databases()).extracting(ReplicatedDatabase::path)
				.hasSize(3);
			apps.get(0).insert(7);
			context.getBean(LitestreamLifecycle.class).stop();
		});
		Summary keptLocally = apps.get(2).summary();
		for (AppDatabase app : apps) {
			app.close();
		}
		Summary a = AppDatabase.summarize(tenants.resolve("a.db"));
		Summary b = AppDatabase.summarize(tenants.resolve("b.db"));
		deleteDatabase(tenants, "a.db");
		deleteDatabase(tenants, "b.db");
		this.runner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(AppDatabase.summarize(tenants.resolve("a.db"))).isEqualTo(a);
			assertThat(AppDatabase.summarize(tenants.resolve("b.db"))).isEqualTo(b);
			assertThat(AppDatabase.summarize(tenants.resolve("c.db"))).isEqualTo(keptLocally);
		});
		S3ReplicaConfig config = server.config(bucket, "tenants");
		try (S3Client s3 = S3ClientFactory.builder().environment((name) -> null).build().create(config)) {
			assertThat(new S3ReplicaClient(s3, config, ReplicaOperationListener.NONE).databasesBelow(false))
				.containsExactly("a.db", "b.db", "c.db");
		}
	}

	@Test
	void aTenantAddedAgainIsRestoredOnDemandOnlyWhenTheEntryRestores() throws Exception {
		Path tenants = Files.createDirectories(this.dir.resolve("tenants"));
		String[] entry = { "litestream.dbs[0].dir=" + tenants, "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
				"litestream.dbs[0].restore.if-replica-exists=false" };
		this.runner.withPropertyValues(entry).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(itemsAfterReAdding(context.getBean(LitestreamTenants.class), tenants.resolve("kept.db")))
				.as("restored from its backup, though if-replica-exists=false did not stop the new tenant")
				.isEqualTo(List.of("first", "second"));
		});
		this.runner.withPropertyValues(entry).withPropertyValues("litestream.dbs[0].restore.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(itemsAfterReAdding(context.getBean(LitestreamTenants.class), tenants.resolve("fresh.db")))
				.as("restore.enabled=false: the tenant starts empty").isEmpty();
		});
	}

	/** Creates a tenant, writes two rows, deletes it keeping its backups, and adds it again. */
	private static List<String> itemsAfterReAdding(LitestreamTenants tenants, Path file) throws Exception {
		JdbcTemplate created = new JdbcTemplate(tenants.dataSource(file));
		created.execute("CREATE TABLE item (text TEXT)");
		created.update("INSERT INTO item VALUES ('first'), ('second')");
		tenants.delete(file, DatabaseRegistry.Backups.KEEP);
		assertThat(file).doesNotExist();
		JdbcTemplate again = new JdbcTemplate(tenants.dataSource(file));
		return again.queryForList("SELECT name FROM sqlite_master WHERE name = 'item'", String.class).isEmpty()
				? List.of() : again.queryForList("SELECT text FROM item ORDER BY rowid", String.class);
	}

	@Test
	void dirAndPathTogetherNameTheDir() {
		FailureAnalysis analysis = fail("litestream.dbs[0].dir=" + this.dir, "litestream.dbs[0].path=" + this.dir.resolve("a.db"),
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"));
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].dir'").contains("both dir and path");
		assertThat(analysis.getAction()).contains("Remove litestream.dbs[0].path");
	}

	@Test
	void aPatternThatIsNotAGlobOrHoldsASlashNamesThePattern() {
		FailureAnalysis broken = fail("litestream.dbs[0].dir=" + this.dir, "litestream.dbs[0].pattern=[a-",
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"));
		assertThat(broken.getDescription()).contains("'litestream.dbs[0].pattern'").contains("'[a-'");
		FailureAnalysis path = fail("litestream.dbs[0].dir=" + this.dir, "litestream.dbs[0].pattern=sub/*.db",
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"));
		assertThat(path.getDescription()).contains("'litestream.dbs[0].pattern'").contains("file names, not paths");
		assertThat(path.getAction()).contains("litestream.dbs[0].recursive");
	}

	@Test
	void recursiveWithoutDirNamesRecursive() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("a.db"),
				"litestream.dbs[0].recursive=true", "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("r"));
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].recursive'").contains("no dir");
	}

	@Test
	void aDirThatIsAFileNamesTheDir() throws Exception {
		Path file = Files.writeString(this.dir.resolve("file"), "x");
		FailureAnalysis analysis = fail("litestream.dbs[0].dir=" + file,
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("r"));
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].dir'").contains("is a file");
	}

	@Test
	void synchronousReplicationOfADirectoryNamesTheProperty() {
		FailureAnalysis analysis = fail("litestream.dbs[0].dir=" + this.dir,
				"litestream.dbs[0].synchronous-replication=on",
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("r"));
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].synchronous-replication'")
			.contains("directory entries");
	}

	@Test
	void zeroThreadsNameTheProperty() {
		FailureAnalysis analysis = fail("litestream.replica-threads=0");
		assertThat(analysis.getDescription()).contains("'litestream.replica-threads'").contains("at least 1");
	}

	private FailureAnalysis fail(String... properties) {
		FailureAnalysis[] analysis = new FailureAnalysis[1];
		this.runner.withPropertyValues(properties)
			.run((context) -> analysis[0] = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure()));
		return analysis[0];
	}

	private Summary restore(ReplicaClient client, String name) throws Exception {
		Path out = this.dir.resolve("restored/" + name);
		Files.createDirectories(out.getParent());
		new Restorer().restore(client, RestoreOptions.latest(out));
		return AppDatabase.summarize(out);
	}

	private static void deleteDatabase(Path dir, String name) throws Exception {
		for (String suffix : new String[] { "", "-wal", "-shm" }) {
			Files.deleteIfExists(dir.resolve(name + suffix));
		}
		FileSystemUtils.deleteRecursively(dir.resolve("." + name + "-litestream"));
	}

}
