package io.github.litestream.boot.autoconfigure;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.nio.file.Path;
import java.util.Map;

import io.github.litestream.replica.s3.S3ReplicaConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every invalid {@code litestream.*} configuration fails startup with a failure analysis
 * that names the property and says what to do.
 */
class InvalidConfigurationTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class));

	@Test
	void unknownReplicaType() {
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].type=webdav",
				"litestream.dbs[0].replicas[0].path=x");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[0].type'")
			.contains("unknown replica type 'webdav'");
		assertThat(analysis.getAction()).contains("litestream.dbs[0].replicas[0].type").contains("file");
	}

	@Test
	void bothUrlAndPath() {
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].name=a",
				"litestream.dbs[0].replicas[0].path=" + this.dir, "litestream.dbs[0].replicas[1].url=file:///backups",
				"litestream.dbs[0].replicas[1].path=/backups");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[1].path'")
			.contains("both url and path");
		assertThat(analysis.getAction()).contains("Remove either litestream.dbs[0].replicas[1].url");
	}

	@Test
	void malformedUrl() {
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].url=s3://bucket name/path");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[0].url'")
			.contains("not a valid URL");
		assertThat(analysis.getAction()).contains("s3://bucket/path");
	}

	@Test
	void aPasswordThatMakesTheUrlInvalidIsNotInTheReport() {
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].url=sftp://backup:50%off@nas/backups");
		assertThat(analysis.getDescription()).contains("not a valid URL")
			.contains("sftp://backup:******@nas/backups")
			.doesNotContain("50%off");
		assertThat(analysis.getAction()).contains("%25");
	}

	@Test
	void urlWithoutScheme() {
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].url=backups/app");
		assertThat(analysis.getDescription()).contains("litestream.dbs[0].replicas[0].url").contains("no scheme");
	}

	@Test
	void s3UrlWithoutBucket() {
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].url=s3:///path");
		assertThat(analysis.getDescription()).contains("litestream.dbs[0].replicas[0].url").contains("names no bucket");
	}

	@Test
	void fileUrlWithAHost() {
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].url=file://backups/app");
		assertThat(analysis.getDescription()).contains("litestream.dbs[0].replicas[0].url").contains("names a host");
		assertThat(analysis.getAction()).contains("file:///absolute/directory");
	}

	@Test
	void failureAnalyzerIsRegistered() {
		assertThat(SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((message,
					failure) -> {
			}))).anyMatch(LitestreamFailureAnalyzer.class::isInstance);
	}

	@Test
	void zeroInterval() {
		FailureAnalysis analysis = fail("litestream.dbs[0].monitor-interval=0s");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].monitor-interval'")
			.contains("must be positive");
		assertThat(analysis.getAction()).contains("Set litestream.dbs[0].monitor-interval to a positive duration");
	}

	@Test
	void negativeReplicaInterval() {
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].path=" + this.dir.resolve("r"),
				"litestream.dbs[0].replicas[0].sync-interval=-1s");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[0].sync-interval'");
	}

	@Test
	void negativeSnapshotInterval() {
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].path=" + this.dir.resolve("r"),
				"litestream.dbs[0].replicas[0].snapshot-interval=-1h");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[0].snapshot-interval'")
			.contains("must not be negative");
		assertThat(analysis.getAction()).contains("0s to turn it off");
	}

	@Test
	void zeroShutdownTimeout() {
		FailureAnalysis analysis = fail("litestream.shutdown-timeout=0s");
		assertThat(analysis.getDescription()).contains("'litestream.shutdown-timeout'");
	}

	@Test
	void retentionShorterThanSnapshotInterval() {
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].path=" + this.dir.resolve("r"),
				"litestream.dbs[0].replicas[0].snapshot-interval=2h", "litestream.dbs[0].replicas[0].retention=1h");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[0].retention'")
			.contains("shorter than snapshot-interval");
		assertThat(analysis.getAction()).contains("at least litestream.dbs[0].replicas[0].snapshot-interval");
	}

	@Test
	void retentionShorterThanTheDefaultSnapshotIntervalSaysWhereThatComesFrom() {
		// A litestream.yml with "retention: 30m" and no snapshot-interval: Litestream takes no
		// periodic snapshots by default, the starter one an hour.
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].path=" + this.dir.resolve("r"),
				"litestream.dbs[0].replicas[0].retention=30m");
		assertThat(analysis.getAction()).contains("litestream.dbs[0].replicas[0].snapshot-interval to at most")
			.contains("1h unless set")
			.contains("0s");
	}

	@Test
	void databaseDirectoryThatCannotBeCreated() throws Exception {
		Path file = Files.writeString(this.dir.resolve("not-a-directory"), "x");
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + file.resolve("sub/app.db"));
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].path'").contains("can't be created");
		assertThat(analysis.getAction()).contains("with write access").contains("litestream.dbs[0].path");
	}

	@Test
	void inMemoryDatabasePath() {
		for (String path : new String[] { ":memory:", "file::memory:", "file:db?mode=memory",
				"jdbc:sqlite::memory:" }) {
			FailureAnalysis analysis = fail("litestream.dbs[0].path=" + path);
			assertThat(analysis.getDescription()).as(path)
				.contains("'litestream.dbs[0].path'")
				.contains("in-memory database");
			assertThat(analysis.getAction()).contains("database file");
		}
	}

	@Test
	void twoReplicasWithTheSameName() {
		FailureAnalysis analysis = fail("litestream.dbs[0].replicas[0].path=" + this.dir.resolve("a"),
				"litestream.dbs[0].replicas[1].url=file://" + this.dir.resolve("b"));
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[1].name'")
			.contains("already named 'file'");
		assertThat(analysis.getAction()).contains("distinct litestream.dbs[0].replicas[1].name");
	}

	@Test
	void sameDatabaseTwice() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[1].path=" + this.dir.resolve("x/../app.db"));
		assertThat(analysis.getDescription()).contains("'litestream.dbs[1].path'").contains("already configured");
	}

	@Test
	void aDatabaseAndASymbolicLinkToItAreOneDatabase() throws Exception {
		Path real = Files.createDirectories(this.dir.resolve("volume")).resolve("app.db");
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + real)) {
			connection.createStatement().execute("create table t (id integer primary key)");
		}
		Path link = Files.createSymbolicLink(this.dir.resolve("app.db"), real);
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + real, "litestream.dbs[1].path=" + link);
		assertThat(analysis.getDescription()).contains("'litestream.dbs[1].path'")
			.contains("already configured by litestream.dbs[0].path");
		assertThat(analysis.getAction()).contains("litestream.dbs[0] and litestream.dbs[1]");
	}

	@Test
	void aDanglingLinkAndTheFileItWillCreateAreOneDatabase() throws Exception {
		Path real = Files.createDirectories(this.dir.resolve("volume")).resolve("new.db");
		Path link = Files.createSymbolicLink(this.dir.resolve("new.db"), real);
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + link, "litestream.dbs[1].path=" + real);
		assertThat(analysis.getDescription()).contains("'litestream.dbs[1].path'")
			.contains("already configured by litestream.dbs[0].path");
	}

	@Test
	void unknownSynchronousModeFailsBindingNamingThePropertyAndTheModes() {
		FailureAnalysis analysis = fail("litestream.synchronous=sometimes");
		assertThat(analysis.getDescription()).contains("litestream.synchronous").contains("sometimes");
		assertThat(analysis.getAction()).contains("OFF", "NORMAL", "FULL", "EXTRA");
	}

	@Test
	void maxCheckpointPagesBelowMin() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].min-checkpoint-page-count=100", "litestream.dbs[0].max-checkpoint-page-count=10");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].max-checkpoint-page-count'");
	}

	@Test
	void negativeMaxShadowWalSize() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].max-shadow-wal-size=-1MB");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].max-shadow-wal-size'")
			.contains("must not be negative");
		assertThat(analysis.getAction()).contains("0 for no bound");
	}

	@Test
	void keyOfAnotherTypeNamesTheKeyTheTypeAndTheTypeThatHasIt() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].type=file",
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
				"litestream.dbs[0].replicas[0].bucket=backups");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[0].bucket'")
			.contains("litestream.dbs[0].replicas[0].bucket is not a key of replicas of type 'file'");
		assertThat(analysis.getAction())
			.contains("Remove it, or set litestream.dbs[0].replicas[0].type to abs or gcs or s3.");
	}

	@Test
	void aMisspeltAgeKeyFailsRatherThanLeaveTheReplicaUnencrypted() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].url=file://" + this.dir.resolve("replica"),
				"litestream.dbs[0].replicas[0].age.recipient=age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[0].age.recipient'");
		assertThat(analysis.getAction()).contains("litestream.dbs[0].replicas[0].age.recipients");
	}

	@Test
	void aPathThatIsAUrlIsNoDirectory() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].path=s3://key:s3cr3t@backups/app");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[0].path'").contains("is a URL");
		assertThat(analysis.getAction()).contains("litestream.dbs[0].replicas[0].url");
		assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain("s3cr3t");
		assertThat(Path.of("s3:")).as("no directory named after the scheme").doesNotExist();
	}

	@Test
	void anS3UrlAndABucketTogetherAreAmbiguous() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].url=s3://from-url/app", "litestream.dbs[0].replicas[0].bucket=other");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[0].bucket'")
			.contains("both url and bucket are set");
	}

	@Test
	void litestreamV05sSingleReplicaKeyIsRefusedRatherThanLeaveTheDatabaseWithoutBackup() {
		FailureAnalysis single = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replica.url=file://" + this.dir.resolve("replica"));
		assertThat(single.getDescription()).contains("'litestream.dbs[0].replica'")
			.contains("litestream.dbs[0].replica is Litestream v0.5's key");
		assertThat(single.getAction()).contains("litestream.dbs[0].replicas[0]");
	}

	@Test
	void litestreamV05sSingleReplicaKeyIsRefusedNextToAListOfReplicasToo() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].url=file://" + this.dir.resolve("a"),
				"litestream.dbs[0].replica.url=file://" + this.dir.resolve("b"));
		assertThat(analysis.getDescription()).contains("litestream.dbs[0].replica is Litestream v0.5's key");
	}

	@Test
	void misspeltDatabaseKeyThatWouldTurnAGuaranteeOffNamesTheKeyItMeant() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].url=file://" + this.dir.resolve("replica"),
				"litestream.dbs[0].synchronous-replicaton=on");
		assertThat(analysis.getDescription()).contains("'litestream.dbs[0].synchronous-replicaton'")
			.contains("litestream.dbs[0].synchronous-replicaton is not a key of a database entry");
		assertThat(analysis.getAction()).contains("Did you mean litestream.dbs[0].synchronous-replication?");
	}

	@Test
	void misspeltNestedDatabaseKeyNamesTheNestedKeyItMeant() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].url=file://" + this.dir.resolve("replica"),
				"litestream.dbs[0].restore.fall-bak=true");
		assertThat(analysis.getDescription()).contains("litestream.dbs[0].restore.fall-bak is not a key");
		assertThat(analysis.getAction()).contains("Did you mean litestream.dbs[0].restore.fall-back?");
	}

	@Test
	void databaseKeyLikeNoneListsTheKeysOfADatabaseEntry() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].url=file://" + this.dir.resolve("replica"),
				"litestream.dbs[0].encryption=true");
		assertThat(analysis.getDescription()).contains("litestream.dbs[0].encryption is not a key of a database entry");
		assertThat(analysis.getAction()).contains("Remove it; a database entry has the keys")
			.contains("monitor-interval")
			.contains("lease.ttl")
			.contains("replicas");
	}

	@Test
	void everyDatabaseKeyIsAcceptedInAnySpellingAndLitestreamsMetaPathIsIgnored() {
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
					"litestream.dbs[0].meta-path=" + this.dir.resolve("meta"), "litestream.dbs[0].monitorInterval=1s",
					"litestream.dbs[0].checkpoint_interval=1m", "litestream.dbs[0].min-checkpoint-page-count=1000",
					"litestream.dbs[0].max-checkpoint-page-count=10000", "litestream.dbs[0].max-shadow-wal-size=1GB",
					"litestream.dbs[0].synchronous-replication=off", "litestream.dbs[0].synchronous-replicas=1",
					"litestream.dbs[0].synchronous-timeout=5s", "litestream.dbs[0].restore.enabled=false",
					"litestream.dbs[0].restore.if-replica-exists=true", "litestream.dbs[0].restore.parallelism=4",
					"litestream.dbs[0].restore.fallBack=false", "litestream.dbs[0].lease.enabled=false",
					"litestream.dbs[0].lease.ttl=10s", "litestream.dbs[0].standby=false",
					"litestream.dbs[0].replicas[0].url=file://" + this.dir.resolve("replica"))
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void keyOfAnotherTypeIsFoundWhateverItsSpelling() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].url=file://" + this.dir.resolve("replica"),
				"litestream.dbs[0].replicas[0].secretAccessKey=s3cr3t");
		assertThat(analysis.getDescription()).contains("not a key of replicas of type 'file'");
		assertThat(analysis.getAction()).contains("type to s3");
		assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain("s3cr3t");
	}

	@Test
	void keyNoTypeKnowsListsTheKeysOfTheType() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].url=s3://bucket/path", "litestream.dbs[0].replicas[0].sync-intervall=5s");
		assertThat(analysis.getDescription())
			.contains("litestream.dbs[0].replicas[0].sync-intervall is not a key of replicas of type 's3'");
		assertThat(analysis.getAction()).startsWith("Did you mean litestream.dbs[0].replicas[0].sync-interval?")
			.contains("replicas of type 's3' have the keys")
			.contains("bucket");
	}

	@Test
	void keyFarFromEveryKeyOfTheTypeGetsNoGuess() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].url=s3://bucket/path", "litestream.dbs[0].replicas[0].compression=zstd");
		assertThat(analysis.getAction()).startsWith("Remove it; replicas of type 's3' have the keys")
			.doesNotContain("Did you mean");
	}

	@Test
	void keysOfTheTypeAreAcceptedInAnySpelling() {
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].url=s3://bucket/path",
					"litestream.dbs[0].replicas[0].forcePathStyle=true",
					"litestream.dbs[0].replicas[0].SKIP_VERIFY=false",
					"litestream.dbs[0].replicas[0].sync-interval=5s", "litestream.dbs[0].restore.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void anEntryWithOnlyTheKeysOfItsTypeBindsAndThoseKeysSetTheType() {
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].bucket=backups", "litestream.dbs[0].replicas[0].region=eu-west-1",
					"litestream.dbs[0].restore.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ReplicaSettings replica = context.getBean(LitestreamDatabases.class).databases().get(0).replicas().get(0);
				assertThat(replica.type()).isEqualTo("s3");
				assertThat(replica.toString()).contains("s3://backups");
			});
	}

	@Test
	void keysOfTheTypeAreKnownAndBoundFromEnvironmentVariables() {
		Map<String, Object> variables = Map.of("LITESTREAM_DBS_0_PATH", this.dir.resolve("app.db").toString(),
				"LITESTREAM_DBS_0_RESTORE_ENABLED", "false", "LITESTREAM_DBS_0_REPLICAS_0_URL", "s3://backups/app",
				"LITESTREAM_DBS_0_REPLICAS_0_ACCESS_KEY_ID", "ENVKEY", "LITESTREAM_DBS_0_REPLICAS_0_SECRET_ACCESS_KEY",
				"env-secret");
		this.runner
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
						StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables)))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ReplicaSettings replica = context.getBean(LitestreamDatabases.class).databases().get(0).replicas().get(0);
				assertThat(replica.backend(S3ReplicaConfig.class).accessKeyId()).isEqualTo("ENVKEY");
				assertThat(replica.toString()).doesNotContain("ENVKEY", "env-secret");
			});
	}

	private FailureAnalysis fail(String... properties) {
		FailureAnalysis[] analysis = new FailureAnalysis[1];
		this.runner.withPropertyValues(properties)
			.run((context) -> analysis[0] = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure()));
		return analysis[0];
	}

}
