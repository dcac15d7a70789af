package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.replica.s3.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The lease in real applications (Spring contexts on real SQLite files) sharing a file replica
 * or an S3Proxy replica: the second is refused with a failure report naming the holder; after
 * a clean shutdown the next one starts at once; a store without conditional writes fails
 * startup naming the property that turns the lease off.
 */
class LeaseTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@TempDir
	Path dir;

	@Test
	void secondInstanceOnAFileReplicaIsRefusedWithTheHolderInTheReport() {
		String replica = "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica");
		try (ConfigurableApplicationContext first = run(database("first"), replica)) {
			LeaseHolder holder = first.getBean(Litestream.class).leaseHolder();
			Throwable failure = catchThrowable(() -> run(database("second"), replica).close());
			FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(failure);
			assertThat(analysis.getDescription()).contains("Replica 'file' (" + this.dir.resolve("replica") + ")")
				.contains("of litestream.dbs[0]")
				.contains("holder: " + holder.instance())
				.contains("host: " + holder.host() + " (pid " + holder.pid() + ")")
				.contains("expires: ");
			assertThat(analysis.getAction()).contains("Stop the other instance")
				.contains("litestream.dbs[0].standby=true")
				.contains("litestream.dbs[0].lease.ttl")
				.contains("litestream.dbs[0].lease.enabled=false");
			assertThat(leaseOf(first).role()).isEqualTo(LeaseRole.PRIMARY);
		}
	}

	@Test
	void secondInstanceOnAnS3ReplicaIsRefusedAndTheFirstKeepsItsLease() {
		String bucket = server.createBucket();
		String[] s3 = { "litestream.access-key-id=" + S3ProxyServer.ACCESS_KEY_ID,
				"litestream.secret-access-key=" + S3ProxyServer.SECRET_ACCESS_KEY,
				"litestream.dbs[0].replicas[0].url=s3://" + bucket + "/backups/app",
				"litestream.dbs[0].replicas[0].endpoint=" + server.endpoint() };
		try (ConfigurableApplicationContext first = run(concat(s3, database("first")))) {
			LeaseHolder holder = first.getBean(Litestream.class).leaseHolder();
			Throwable failure = catchThrowable(() -> run(concat(s3, database("second"))).close());
			FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(failure);
			assertThat(analysis.getDescription()).contains("Replica 's3' (s3://" + bucket + "/backups/app)")
				.contains("holder: " + holder.instance());
			assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain(S3ProxyServer.SECRET_ACCESS_KEY);
			ReplicationTestApplication.writeRows(first.getBean(DataSource.class), 10);
			assertThat(leaseOf(first).role()).isEqualTo(LeaseRole.PRIMARY);
		}
	}

	@Test
	void afterACleanShutdownTheNextInstanceTakesTheReplicaAtOnceWithTheNextEpoch() {
		String[] replica = { "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
				"litestream.dbs[0].lease.ttl=10m" };
		try (ConfigurableApplicationContext first = run(concat(replica, database("first")))) {
			ReplicationTestApplication.writeRows(first.getBean(DataSource.class), 10);
		}
		long started = System.nanoTime();
		try (ConfigurableApplicationContext second = run(concat(replica, database("second")))) {
			assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no wait for the ttl of ten minutes")
				.isLessThan(Duration.ofMinutes(5));
			LeaseStatus lease = leaseOf(second);
			assertThat(lease.role()).isEqualTo(LeaseRole.PRIMARY);
			assertThat(lease.record().epoch()).isEqualTo(2);
			assertThat(lease.record().holder()).isEqualTo(second.getBean(Litestream.class).leaseHolder());
		}
	}

	@Test
	void withTheLeaseOffTwoInstancesMayShareAReplica() throws Exception {
		String[] replica = { "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
				"litestream.dbs[0].lease.enabled=false" };
		try (ConfigurableApplicationContext first = run(concat(replica, database("first")));
				ConfigurableApplicationContext second = run(concat(replica, database("second")))) {
			assertThat(first.getBean(Litestream.class).isRunning()).isTrue();
			assertThat(second.getBean(Litestream.class).isRunning()).isTrue();
			assertThat(new FileReplicaClient(this.dir.resolve("replica")).conditionalObjects()
				.orElseThrow()
				.read(ReplicaLease.OBJECT)).isEmpty();
		}
	}

	@Test
	void storeWithoutConditionalWritesFailsStartupNamingTheStoreAndHowToTurnTheLeaseOff() {
		Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(ReplicationTestApplication.class,
				PlainBackend.class)
			.web(WebApplicationType.NONE)
			.properties(concat(new String[] { "litestream.dbs[0].replicas[0].type=plain",
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica") }, database("plain")))
			.run()
			.close());
		FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(failure);
		assertThat(analysis.getDescription()).contains("litestream.dbs[0]")
			.contains("Replica 'plain' (" + this.dir.resolve("replica") + ") cannot keep a lease")
			.contains("no conditional writes");
		assertThat(analysis.getAction()).contains("litestream.dbs[0].lease.enabled=false");
	}

	@Test
	void aTtlTooShortToRenewIsAConfigurationError() {
		Throwable failure = catchThrowable(() -> run(database("short"),
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"), "litestream.dbs[0].lease.ttl=100ms")
			.close());
		FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(failure);
		assertThat(analysis.getDescription()).contains("litestream.dbs[0].lease.ttl");
		assertThat(analysis.getAction()).contains("10s");
	}

	@Test
	void leaseObjectIsFlatJsonNamingThisInstance() throws Exception {
		try (ConfigurableApplicationContext context = run(database("json"),
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))) {
			ConditionalObjects objects = new FileReplicaClient(this.dir.resolve("replica")).conditionalObjects()
				.orElseThrow();
			LeaseRecord record = LeaseRecord.parse(objects.read(ReplicaLease.OBJECT).orElseThrow().content());
			assertThat(record.holder()).isEqualTo(context.getBean(Litestream.class).leaseHolder());
			assertThat(record.ttl()).isEqualTo(Duration.ofSeconds(10));
		}
	}

	private String database(String name) {
		return "spring.datasource.url=jdbc:sqlite:" + this.dir.resolve(name).resolve("app.db");
	}

	private static LeaseStatus leaseOf(ConfigurableApplicationContext context) {
		Litestream litestream = context.getBean(Litestream.class);
		return litestream.lease(litestream.replicas(litestream.databases().get(0)).get(0)).orElseThrow();
	}

	private static ConfigurableApplicationContext run(String... properties) {
		return new SpringApplicationBuilder(ReplicationTestApplication.class).web(WebApplicationType.NONE)
			.properties(properties)
			.run();
	}

	private static String[] concat(String[] first, String... more) {
		String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
		System.arraycopy(more, 0, all, first.length, more.length);
		return all;
	}

	/** A directory replica whose backend, like one written before conditional writes, has none. */
	@Configuration(proxyBeanMethods = false)
	static class PlainBackend {

		@Bean
		ReplicaClientProvider plainReplicaClientProvider() {
			return new ReplicaClientProvider() {

				@Override
				public String type() {
					return "plain";
				}

				@Override
				public Object configure(ReplicaEntry entry) {
					return Path.of(entry.path());
				}

				@Override
				public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
					return new ForwardingReplicaClient(new FileReplicaClient(settings.backend(Path.class), listener)) {

						@Override
						public Optional<ConditionalObjects> conditionalObjects() {
							return Optional.empty();
						}

						@Override
						public String type() {
							return "plain";
						}

					};
				}

				@Override
				public Set<String> keys() {
					return Set.of();
				}

			};
		}

	}

}
