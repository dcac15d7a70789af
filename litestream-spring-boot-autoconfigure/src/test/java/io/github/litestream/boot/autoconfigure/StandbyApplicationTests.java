package io.github.litestream.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.boot.actuate.LitestreamEndpoint;
import io.github.litestream.boot.actuate.LitestreamEndpointAutoConfiguration;
import io.github.litestream.boot.actuate.LitestreamHealthContributorAutoConfiguration;
import io.github.litestream.boot.actuate.LitestreamHealthIndicator;
import io.github.litestream.boot.actuate.LitestreamMetricsAutoConfiguration;
import io.github.litestream.boot.actuate.LitestreamReplicaLagAutoConfiguration;
import io.github.litestream.boot.actuate.StandbyDescriptor;
import io.github.litestream.boot.actuate.StandbyMeters;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3ProxyServer;
import io.github.litestream.replica.s3.S3ReplicaClient;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code litestream.dbs[n].standby=true} in real applications (Spring contexts with Flyway on
 * real SQLite files) sharing a file replica or an S3Proxy replica, both configured alike: the
 * first becomes the primary, the second starts as a standby (its startup completes, it refuses
 * traffic, its connections wait and then fail naming the holder, its migration waits), follows
 * the replica, and takes over when the primary stops, with every row the primary committed and
 * one generation in the replica.
 */
class StandbyApplicationTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@TempDir
	Path dir;

	@Test
	void standbyOnAFileReplicaTakesOverWithEverythingThePrimaryCommitted() throws Exception {
		Path replica = this.dir.resolve("replica");
		handover(new String[] { "litestream.dbs[0].replicas[0].path=" + replica }, () -> new FileReplicaClient(replica));
	}

	@Test
	void standbyOnAnS3ReplicaTakesOverWithEverythingThePrimaryCommitted() throws Exception {
		String bucket = server.createBucket();
		String[] s3 = { "litestream.access-key-id=" + S3ProxyServer.ACCESS_KEY_ID,
				"litestream.secret-access-key=" + S3ProxyServer.SECRET_ACCESS_KEY,
				"litestream.dbs[0].replicas[0].url=s3://" + bucket + "/app",
				"litestream.dbs[0].replicas[0].endpoint=" + server.endpoint() };
		S3ReplicaConfig config = server.config(bucket, "app");
		try (S3Client client = S3ClientFactory.builder().environment((name) -> null).build().create(config)) {
			handover(s3, () -> new S3ReplicaClient(client, config, ReplicaOperationListener.NONE));
		}
	}

	private void handover(String[] replica, ReplicaSupplier replicaClient) throws Exception {
		List<String> committed = new ArrayList<>();
		ConfigurableApplicationContext primary = run(replica, "primary");
		ConfigurableApplicationContext standby = null;
		try {
			awaitPrimary(primary);
			JdbcTemplate primaryJdbc = new JdbcTemplate(primary.getBean(DataSource.class));
			assertThat(primaryJdbc.queryForObject("SELECT text FROM note", String.class))
				.as("Flyway migrated the first instance once it took the lease")
				.isEqualTo("from-migration");
			write(primaryJdbc, committed, 50);

			standby = run(replica, "standby");
			StandbyDatabase waiting = standbyOf(standby);
			assertThat(waiting.isPrimary()).isFalse();
			await().atMost(Duration.ofSeconds(30))
				.until(() -> standby(waiting).follower().caughtUp() && standby(waiting).lease() != null);
			assertThat(readiness(standby)).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
			assertThat(readiness(primary)).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
			LeaseHolder holder = primary.getBean(Litestream.class).leaseHolder();
			StandbyDescriptor described = standby.getBean(LitestreamEndpoint.class).litestream().standbys().get(0);
			assertThat(described.role()).isEqualTo("standby");
			assertThat(described.path()).isEqualTo(database("standby").toString());
			assertThat(described.holder()).isEqualTo(holder.instance());
			assertThat(described.host()).isEqualTo(holder.host());
			assertThat(described.epoch()).isEqualTo(primaryEpoch(primary));
			assertThat(described.expiresAt()).isNotNull();
			assertThat(described.caughtUp()).isTrue();
			assertThat(described.position()).isNotNull();
			SimpleMeterRegistry meters = new SimpleMeterRegistry();
			standby.getBean(StandbyMeters.class).bindTo(meters);
			String db = database("standby").toString();
			assertThat(meters.get("litestream.standby.waiting").tag("db", db).gauge().value()).isEqualTo(1);
			assertThat(meters.get("litestream.standby.segments.behind").tag("db", db).gauge().value())
				.as("caught up")
				.isZero();
			assertThat(meters.get("litestream.standby.lag").tag("db", db).gauge().value()).isZero();
			assertThat(standby.getBean(LitestreamEndpoint.class).litestream().databases())
				.as("a standby replicates nothing")
				.isEmpty();
			Health health = standby.getBean(LitestreamHealthIndicator.class).health(true);
			assertThat(health.getStatus()).as("waiting is healthy: readiness says it does not serve")
				.isEqualTo(Status.UP);
			assertThat(health.getDetails().get("standbys")).asInstanceOf(InstanceOfAssertFactories.MAP)
				.containsKey(database("standby").toString());
			DataSource standbyDataSource = standby.getBean(DataSource.class);
			assertThatExceptionOfType(SQLTransientConnectionException.class).isThrownBy(() -> {
				try (Connection connection = standbyDataSource.getConnection()) {
					connection.isValid(1);
				}
			})
				.withMessageContaining("litestream.dbs[0] (" + database("standby") + ") is a standby")
				.withMessageContaining(holder.toString())
				.withMessageContaining("connections open when this instance takes over");

			write(primaryJdbc, committed, 50);
			primary.close();
			awaitPrimary(standby);
			assertThat(readiness(standby)).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
			assertThat(standby.getBean(LitestreamEndpoint.class).litestream().standbys()).isEmpty();
			assertThat(meters.get("litestream.standby.waiting").tag("db", db).gauge().value()).isZero();
			assertThat(primaryEpoch(standby)).as("the takeover took the next epochs").isGreaterThan(described.epoch());
			JdbcTemplate standbyJdbc = new JdbcTemplate(standbyDataSource);
			assertThat(standbyJdbc.queryForList("SELECT text FROM item ORDER BY id", String.class))
				.as("every commit of the primary, and nothing else")
				.isEqualTo(committed);
			assertThat(standbyJdbc.queryForList("SELECT version FROM flyway_schema_history ORDER BY installed_rank",
					String.class))
				.containsExactly("1", "2");
			write(standbyJdbc, committed, 10);
			Litestream engine = standby.getBean(Litestream.class);
			engine.awaitReplicated(engine.databases().get(0), io.github.litestream.ReplicaQuorum.ALL,
					Duration.ofSeconds(30));
		}
		finally {
			primary.close();
			if (standby != null) {
				standby.close();
			}
		}
		try (ReplicaClient client = replicaClient.get()) {
			assertThat(client.generations()).as("the takeover continued the primary's generation").hasSize(1);
			Path restored = this.dir.resolve("restored.db");
			new Restorer().restore(client, RestoreOptions.latest(restored));
			assertThat(rows(restored)).isEqualTo(committed);
		}
	}

	/**
	 * The primary, a child JVM whose commits return only once replicated, is killed: the standby
	 * takes over once the lease expires, with every commit the primary reported.
	 */
	@Test
	void afterTheKillOfAPrimaryTheStandbyTakesOverWhenItsLeaseExpires() throws Exception {
		Path replica = this.dir.resolve("replica");
		List<String> settings = List.of("--litestream.dbs[0].replicas[0].path=" + replica,
				"--litestream.dbs[0].standby=true", "--litestream.dbs[0].lease.ttl=3s",
				"--litestream.dbs[0].synchronous-replication=on", "--spring.main.banner-mode=off");
		// Killed, the child cannot remove the native libraries it extracted: keep them out of /tmp.
		Path tmp = Files.createDirectories(this.dir.resolve("child-tmp"));
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
				ReplicationTestApplication.class.getName(), "200",
				"--spring.datasource.url=jdbc:sqlite:" + database("killed")));
		command.addAll(settings);
		Process child = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(this.dir.resolve("killed.log").toFile())
			.start();
		// The child is the primary once it committed: only then does the standby start.
		await().atMost(Duration.ofSeconds(90))
			.failFast("the child exited; its output is in " + this.dir.resolve("killed.log"), () -> !child.isAlive())
			.until(() -> Files.readString(this.dir.resolve("killed.log")).contains(ReplicationTestApplication.COMMITTED));
		try (ConfigurableApplicationContext standby = run(new String[] { "litestream.dbs[0].replicas[0].path=" + replica,
				"spring.flyway.enabled=false" }, "standby")) {
			String log = Files.readString(this.dir.resolve("killed.log"));
			int at = log.indexOf(ReplicationTestApplication.COMMITTED) + ReplicationTestApplication.COMMITTED.length();
			long last = Long.parseLong(log.substring(at, log.indexOf('\n', at)).trim());
			StandbyDatabase waiting = standbyOf(standby);
			await().atMost(Duration.ofSeconds(30)).until(() -> standby(waiting).follower().caughtUp());
			assertThat(waiting.isPrimary()).isFalse();
			child.destroyForcibly();
			assertThat(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
			awaitPrimary(standby);
			List<String> expected = new ArrayList<>();
			for (int i = 0; i < last; i++) {
				expected.add("row-" + i);
			}
			assertThat(new JdbcTemplate(standby.getBean(DataSource.class))
				.queryForList("SELECT text FROM item ORDER BY id", String.class))
				.as("every commit the killed primary reported (each returned once replicated)")
				.isEqualTo(expected);
		}
		finally {
			child.destroyForcibly();
		}
	}

	@Test
	void aFileThatIsTheOnlyCopyIsKeptAndItsInstanceIsThePrimaryAtOnce() throws Exception {
		Path file = database("only");
		Files.createDirectories(file.getParent());
		List<String> committed = new ArrayList<>();
		String replica = "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica");
		try (ConfigurableApplicationContext withoutLitestream = run(new String[] { replica, "litestream.enabled=false" },
				"only")) {
			write(new JdbcTemplate(withoutLitestream.getBean(DataSource.class)), committed, 5);
		}
		try (ConfigurableApplicationContext context = run(new String[] { replica }, "only")) {
			awaitPrimary(context);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(jdbc.queryForList("SELECT text FROM item ORDER BY id", String.class)).isEqualTo(committed);
			assertThat(jdbc.queryForObject("SELECT text FROM note", String.class)).isEqualTo("from-migration");
		}
		try (Stream<Path> files = Files.list(file.getParent())) {
			assertThat(files.map((path) -> path.getFileName().toString())).noneMatch((name) -> name.contains("before-standby"));
		}
	}

	@Test
	void aStaleFileIsMovedAsideAndTheReplicasStateRestoredInItsPlace() throws Exception {
		String replica = "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica");
		List<String> committed = new ArrayList<>();
		Path stale = database("stale");
		Files.createDirectories(stale.getParent());
		// What a crash leaves: the last commits only in the WAL.
		Path crashed = this.dir.resolve("crashed.db");
		SingleConnectionDataSource staleDataSource = new SingleConnectionDataSource("jdbc:sqlite:" + crashed, true);
		JdbcTemplate staleJdbc = new JdbcTemplate(staleDataSource);
		staleJdbc.execute("PRAGMA journal_mode=WAL");
		staleJdbc.execute("PRAGMA wal_autocheckpoint=0");
		write(staleJdbc, new ArrayList<>(), 3);
		Files.copy(crashed, stale);
		Files.copy(Path.of(crashed + "-wal"), Path.of(stale + "-wal"));
		staleDataSource.destroy();
		assertThat(Path.of(stale + "-wal")).as("the commits are in the WAL only").isNotEmptyFile();
		try (ConfigurableApplicationContext first = run(new String[] { replica }, "first")) {
			awaitPrimary(first);
			write(new JdbcTemplate(first.getBean(DataSource.class)), committed, 20);
		}
		try (ConfigurableApplicationContext context = run(new String[] { replica }, "stale")) {
			awaitPrimary(context);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(jdbc.queryForList("SELECT text FROM item ORDER BY id", String.class)).isEqualTo(committed);
		}
		try (Stream<Path> files = Files.list(stale.getParent())) {
			Path aside = files.filter((path) -> path.getFileName().toString().startsWith("app.db.before-standby-"))
				.filter((path) -> !path.toString().endsWith("-wal") && !path.toString().endsWith("-shm"))
				.findFirst()
				.orElseThrow();
			// Self-contained: no crash between the renames could have separated it from its WAL.
			// (Copied first: opening the set-aside file with SQLite would checkpoint its WAL.)
			Path alone = Files.copy(aside, this.dir.resolve("aside-alone.db"));
			assertThat(rows(alone)).as("the set-aside file without its WAL").hasSize(3);
			assertThat(rows(aside)).as("the stale file is kept aside, as it was").hasSize(3);
		}
	}

	@Test
	void aMigrationThatFailsAtTheTakeoverKeepsTheConnectionsClosedAndTurnsHealthDown() {
		try (ConfigurableApplicationContext context = run(
				new String[] { "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
						"spring.flyway.locations=classpath:db/litestream-standby-broken" },
				"broken")) {
			StandbyDatabase database = standbyOf(context);
			await().atMost(Duration.ofSeconds(30)).until(() -> database.failure() != null);
			assertThat(database.isPrimary()).isFalse();
			assertThatExceptionOfType(java.sql.SQLException.class)
				.isThrownBy(() -> context.getBean(DataSource.class).getConnection().close())
				.withMessageContaining("litestream.dbs[0] (" + database("broken") + ") cannot serve")
				.withMessageContaining("the work deferred to the takeover failed")
				.withMessageContaining("V1__broken.sql");
			Health health = context.getBean(LitestreamHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(String.valueOf(health.getDetails().get("problems"))).contains("cannot take over");
			assertThat(readiness(context)).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
		}
	}

	@Test
	void aMigrationThatFailsAfterTheEngineTookOverReleasesTheLeaseForAnotherInstance() throws Exception {
		Path replica = this.dir.resolve("replica");
		String replicaPath = "litestream.dbs[0].replicas[0].path=" + replica;
		try (ConfigurableApplicationContext primary = run(new String[] { replicaPath }, "first")) {
			awaitPrimary(primary);
			write(new JdbcTemplate(primary.getBean(DataSource.class)), new ArrayList<>(), 5);
		}
		FileReplicaClient client = new FileReplicaClient(replica);
		ReplicaLease rival = new ReplicaLease("file", client.location(), client.conditionalObjects().orElseThrow(),
				new LeaseOptions(true, Duration.ofSeconds(3)), LeaseHolder.newInstance(), Clock.systemUTC());
		try (ConfigurableApplicationContext context = run(
				new String[] { replicaPath, "spring.flyway.locations=classpath:db/litestream-standby-broken" },
				"second")) {
			StandbyDatabase database = standbyOf(context);
			await().atMost(Duration.ofSeconds(30)).until(() -> database.failure() != null);
			assertThat(database.isPrimary()).isFalse();
			await().atMost(Duration.ofSeconds(30))
				.until(() -> rival.tryAcquire() == io.github.litestream.lease.LeaseAttempt.ACQUIRED);
			assertThat(context.getBean(Litestream.class).databases()).as("no longer replicated here").isEmpty();
		}
		finally {
			rival.release();
		}
	}

	@Test
	void aStandbyOnAStoreWithoutConditionalWritesFailsStartupNamingTheStore() {
		Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> new SpringApplicationBuilder(
				StandbyApplication.class, LeaseTests.PlainBackend.class)
			.web(WebApplicationType.NONE)
			.properties("spring.datasource.url=jdbc:sqlite:" + database("plain"), "litestream.dbs[0].standby=true",
					"litestream.dbs[0].replicas[0].type=plain",
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
					"spring.flyway.locations=classpath:db/litestream-boot-test")
			.run()
			.close());
		org.springframework.boot.diagnostics.FailureAnalysis analysis = LitestreamAutoConfigurationTests
			.analysis(failure);
		assertThat(analysis.getDescription()).contains("litestream.dbs[0]")
			.contains("Replica 'plain' (" + this.dir.resolve("replica") + ") cannot keep a lease");
		assertThat(analysis.getAction()).contains("remove litestream.dbs[0].standby too");
	}

	@Test
	void aFailedStartLeavesNoStandbyRunning() throws Exception {
		Path replica = this.dir.resolve("replica-first");
		FileReplicaClient client = new FileReplicaClient(replica);
		ReplicaLease rival = new ReplicaLease("file", client.location(), client.conditionalObjects().orElseThrow(),
				new LeaseOptions(true, Duration.ofSeconds(30)), LeaseHolder.newInstance(), Clock.systemUTC());
		rival.acquire();
		Path unreadable = Files.writeString(this.dir.resolve("not-a-directory"), "x").resolve("replica");
		Path second = Files.createDirectories(this.dir.resolve("second")).resolve("second.db");
		Files.writeString(second, "an existing file, so its replica must be read");
		Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> run(
				new String[] { "spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("first").resolve("first.db"),
						"litestream.dbs[0].replicas[0].path=" + replica, "litestream.dbs[1].path=" + second,
						"litestream.dbs[1].standby=true", "litestream.dbs[1].replicas[0].path=" + unreadable },
				"first")
			.close());
		assertThat(failure).isNotNull();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
				.noneMatch((thread) -> thread.getName().endsWith("first.db") && thread.getName().startsWith("litestream-")));
		rival.release();
	}

	@Test
	void aStandbyWithoutTheLeaseIsAConfigurationError() {
		Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> run(
				new String[] { "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
						"litestream.dbs[0].lease.enabled=false" },
				"nolease")
			.close());
		org.springframework.boot.diagnostics.FailureAnalysis analysis = LitestreamAutoConfigurationTests
			.analysis(failure);
		assertThat(analysis.getDescription()).contains("litestream.dbs[0].standby")
			.contains("lease.enabled is false");
		assertThat(analysis.getAction()).contains("litestream.dbs[0].lease.enabled to true");
	}

	private static void write(JdbcTemplate jdbc, List<String> committed, int rows) {
		jdbc.execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
		for (int i = 0; i < rows; i++) {
			String text = "row-" + committed.size();
			jdbc.update("INSERT INTO item (text) VALUES (?)", text);
			committed.add(text);
		}
	}

	private static List<String> rows(Path database) {
		SingleConnectionDataSource dataSource = new SingleConnectionDataSource("jdbc:sqlite:" + database, true);
		try {
			return new JdbcTemplate(dataSource).queryForList("SELECT text FROM item ORDER BY id", String.class);
		}
		finally {
			dataSource.destroy();
		}
	}

	private static void awaitPrimary(ConfigurableApplicationContext context) {
		StandbyDatabase database = standbyOf(context);
		await().atMost(Duration.ofSeconds(30)).until(database::isPrimary);
		await().atMost(Duration.ofSeconds(10)).until(() -> readiness(context) == ReadinessState.ACCEPTING_TRAFFIC);
	}

	private static long primaryEpoch(ConfigurableApplicationContext context) {
		Litestream engine = context.getBean(Litestream.class);
		return engine.lease(engine.replicas(engine.databases().get(0)).get(0)).orElseThrow().record().epoch();
	}

	private static StandbyDatabase standbyOf(ConfigurableApplicationContext context) {
		return context.getBean(LitestreamStandbys.class).all().get(0);
	}

	private static io.github.litestream.StandbyStatus standby(StandbyDatabase database) {
		return database.status().orElseThrow();
	}

	private static ReadinessState readiness(ConfigurableApplicationContext context) {
		return context.getBean(ApplicationAvailability.class).getReadinessState();
	}

	private Path database(String name) {
		return this.dir.resolve(name).resolve("app.db");
	}

	/** An application with its own database, on the given replica (and overrides, which come last). */
	private ConfigurableApplicationContext run(String[] replica, String name) {
		List<String> properties = new ArrayList<>(List.of("spring.datasource.url=jdbc:sqlite:" + database(name),
				"spring.datasource.hikari.connection-timeout=250",
				"spring.flyway.locations=classpath:db/litestream-boot-test", "litestream.dbs[0].standby=true",
				"litestream.dbs[0].lease.ttl=3s", "litestream.dbs[0].replicas[0].sync-interval=100ms",
				"management.endpoints.web.exposure.include=litestream"));
		properties.addAll(List.of(replica));
		return new SpringApplicationBuilder(StandbyApplication.class).web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	@FunctionalInterface
	interface ReplicaSupplier {

		ReplicaClient get() throws Exception;

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ApplicationAvailabilityAutoConfiguration.class, DataSourceAutoConfiguration.class,
			FlywayAutoConfiguration.class, LitestreamAutoConfiguration.class, LitestreamReplicaLagAutoConfiguration.class,
			LitestreamEndpointAutoConfiguration.class, LitestreamHealthContributorAutoConfiguration.class,
			LitestreamMetricsAutoConfiguration.class })
	static class StandbyApplication {

	}

}
