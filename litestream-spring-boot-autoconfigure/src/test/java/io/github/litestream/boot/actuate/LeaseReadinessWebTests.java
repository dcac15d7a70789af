package io.github.litestream.boot.actuate;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.file.FileReplicaClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness follows the role, not the replica's reachability, in a real web application with
 * Kubernetes probes: while the file replica is broken (its lease cannot be renewed, so writes
 * to it are fenced) the {@code litestream} health is DOWN but the only instance stays ready;
 * once another instance's lease replaces ours, this instance is fenced, not ready, names the
 * new holder in its health problems, details and log, shows the {@code litestream.lease.fenced}
 * gauge, and, while its application still writes to its database, writes nothing to the replica.
 */
@SpringBootTest(classes = LeaseReadinessWebTests.Application.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoint.health.probes.enabled=true",
				"management.endpoint.health.show-details=always", "management.endpoints.web.exposure.include=*",
				"litestream.health.max-failure-duration=500ms", "litestream.dbs[0].lease.ttl=1s",
				"litestream.dbs[0].replicas[0].sync-interval=100ms", "spring.docker.compose.enabled=false" })
@ExtendWith(OutputCaptureExtension.class)
class LeaseReadinessWebTests {

	private static final Path DIR = createTempDirectory();

	@LocalServerPort
	int port;

	@Autowired
	DataSource dataSource;

	@Autowired
	MeterRegistry meters;

	@AfterAll
	static void deleteDirectory() {
		FileSystemUtils.deleteRecursively(DIR.toFile());
	}

	@DynamicPropertySource
	static void paths(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> "jdbc:sqlite:" + DIR.resolve("app.db"));
		registry.add("litestream.dbs[0].replicas[0].path", () -> DIR.resolve("replica").toString());
	}

	@Test
	void anUnreachableReplicaKeepsTheInstanceReadyButALostLeaseTakesItOutOfService(CapturedOutput output)
			throws Exception {
		Http http = new Http(this.port);
		insert(10);
		await().untilAsserted(() -> assertThat(status(http, "/actuator/health/litestream", 200)).isEqualTo("UP"));
		assertThat(status(http, "/actuator/health/readiness", 200)).isEqualTo("UP");
		String lease = "$.components.litestream.details.databases['" + DIR.resolve("app.db") + "'].replicas.file.lease";
		DocumentContext health = json(http.get("/actuator/health"));
		assertThat(health.read(lease + ".role", String.class)).isEqualTo("primary");
		assertThat(health.read(lease + ".self", Boolean.class)).isTrue();

		// The replica's directory becomes a regular file: nothing can be written, the lease neither.
		Files.move(DIR.resolve("replica"), DIR.resolve("replica.moved"));
		Files.writeString(DIR.resolve("replica"), "not a directory");
		insert(10);
		await().untilAsserted(() -> {
			DocumentContext down = json(http.get("/actuator/health/litestream"));
			assertThat(down.read("$.status", String.class)).isEqualTo("DOWN");
			List<String> problems = down.read("$.details.problems");
			assertThat(problems).anyMatch((problem) -> problem.contains("could not be renewed"));
		});
		assertThat(status(http, "/actuator/health/readiness", 200)).as("the only instance stays in service")
			.isEqualTo("UP");
		insert(10);

		Files.delete(DIR.resolve("replica"));
		Files.move(DIR.resolve("replica.moved"), DIR.resolve("replica"));
		await().untilAsserted(() -> assertThat(status(http, "/actuator/health/litestream", 200)).isEqualTo("UP"));

		steal(DIR.resolve("replica"));
		await().untilAsserted(() -> assertThat(status(http, "/actuator/health/readiness", 503)).isEqualTo("OUT_OF_SERVICE"));
		DocumentContext fenced = json(http.get("/actuator/health"));
		assertThat(fenced.read(lease + ".role", String.class)).isEqualTo("fenced");
		assertThat(fenced.read(lease + ".lost", Boolean.class)).isTrue();
		assertThat(fenced.read(lease + ".host", String.class)).isEqualTo("thief-host");
		assertThat(fenced.read(lease + ".self", Boolean.class)).isFalse();
		assertThat(this.meters.get("litestream.lease.fenced").gauge().value()).isEqualTo(1.0);
		DocumentContext endpoint = json(http.get("/actuator/litestream"));
		assertThat(endpoint.read("$.databases[0].replicas[0].lease.role", String.class)).isEqualTo("fenced");
		assertThat(endpoint.read("$.databases[0].replicas[0].lease.epoch", Long.class)).isGreaterThanOrEqualTo(100L);

		// Deposed: health says who holds the lease now and what that means, so does the log.
		DocumentContext down = json(http.get("/actuator/health/litestream"));
		assertThat(down.read("$.status", String.class)).isEqualTo("DOWN");
		List<String> problems = down.read("$.details.problems");
		assertThat(problems).anySatisfy((problem) -> assertThat(problem).contains("leased to another instance")
			.contains("instance thief on host thief-host (pid 4242)")
			.contains("epoch 100")
			.contains("not replicated")
			.contains("Restart this instance"));
		assertThat(output).containsPattern("ERROR .*fenced: another instance replaced the lease: instance thief on "
				+ "host thief-host \\(pid 4242\\), epoch 100")
			.containsPattern("WARN .*Refusing traffic: .*thief-host");
		// The application still writes to its database; nothing of it reaches the replica.
		List<Path> replicaObjects = replicaObjects();
		insert(10);
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(5))
			.until(() -> replicaObjects().equals(replicaObjects));
	}

	private static List<Path> replicaObjects() throws IOException {
		try (Stream<Path> files = Files.walk(DIR.resolve("replica").resolve("generations"))) {
			return files.filter(Files::isRegularFile).sorted().toList();
		}
	}

	private void insert(int rows) {
		JdbcTemplate jdbc = new JdbcTemplate(this.dataSource);
		jdbc.execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
		for (int i = 0; i < rows; i++) {
			jdbc.update("INSERT INTO item (text) VALUES (?)", "row-" + i);
		}
	}

	private static void steal(Path replica) throws IOException {
		ConditionalObjects objects = new FileReplicaClient(replica).conditionalObjects().orElseThrow();
		ConditionalObjects.VersionedObject current = objects.read(ReplicaLease.OBJECT).orElseThrow();
		Instant now = Instant.now();
		Duration ttl = Duration.ofHours(1);
		LeaseRecord thief = new LeaseRecord(new LeaseHolder("thief", "thief-host", 4242), 100, now, now.plus(ttl), ttl,
				false);
		objects.replace(ReplicaLease.OBJECT, thief.toJson(), current.version());
	}

	private static String status(Http http, String path, int expectedCode) throws Exception {
		HttpResponse<String> response = http.get(path);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedCode);
		return json(response).read("$.status", String.class);
	}

	private static DocumentContext json(HttpResponse<String> response) {
		return JsonPath.parse(response.body());
	}

	private static Path createTempDirectory() {
		try {
			return Files.createTempDirectory("litestream-lease-readiness");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A web application with the DataSource, the starter and the actuator; no schema tools. */
	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration(excludeName = { "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
			"org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration",
			"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration" })
	static class Application {

		/** Tests run without a metrics exporter: a registry of their own, as LitestreamMetricsOnStartTests. */
		@Bean
		SimpleMeterRegistry simpleMeterRegistry(LitestreamMetrics metrics) {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			metrics.bindTo(registry);
			return registry;
		}

	}

}
