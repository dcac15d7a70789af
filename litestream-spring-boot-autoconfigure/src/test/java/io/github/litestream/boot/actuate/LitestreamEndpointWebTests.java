package io.github.litestream.boot.actuate;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.github.litestream.AppDatabase;
import io.github.litestream.DatabaseRegistry;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code litestream} endpoint over HTTP in a real web application, exposed by the user.
 */
@SpringBootTest(classes = ActuateTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=litestream,health", "litestream.enabled=false",
				"litestream.access-key-id=AKIAEXAMPLEKEYID", "litestream.secret-access-key=s3cr3t-Example-Value" })
class LitestreamEndpointWebTests {

	@LocalServerPort
	int port;

	@Autowired
	TestReplication replication;

	private Http http;

	@BeforeEach
	void setUp() throws Exception {
		this.http = new Http(this.port);
		this.replication.app.insert(10);
		await().until(this.replication::caughtUp);
	}

	@Test
	void listsDatabasesAndReplicas() throws Exception {
		HttpResponse<String> response = this.http.get("/actuator/litestream");
		assertThat(response.statusCode()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(response.body());
		Pos pos = this.replication.database().position().orElseThrow();
		assertThat(json.read("$.running", Boolean.class)).isTrue();
		assertThat(json.read("$.databases[0].path", String.class)).isEqualTo(this.replication.dbPath.toString());
		assertThat(json.read("$.databases[0].generation", String.class)).isEqualTo(pos.generation());
		assertThat(json.read("$.databases[0].position", String.class)).matches("[0-9a-f]{16}/[0-9a-f]{8}:[0-9a-f]{8}");
		assertThat(json.read("$.databases[0].size", Long.class)).isEqualTo(this.replication.database().size());
		assertThat(json.read("$.databases[0].walSize", Long.class)).isPositive();
		assertThat(json.read("$.databases[0].lastCheckpoint", String.class)).isNotBlank();
		Map<String, Object> replica = json.read("$.databases[0].replicas[0]");
		assertThat(replica).containsEntry("name", "file")
			.containsEntry("type", "file")
			.containsEntry("location", this.replication.replicaDir.toString())
			.containsEntry("snapshotCount", this.replication.replica().client().snapshots(pos.generation()).size())
			.containsKeys("position", "lagSeconds", "lastSync", "latestSnapshot")
			// Absent values are left out, as the actuator's own mapper does for Spring Boot's endpoints.
			.doesNotContainKeys("lastError", "lastErrorAt", "failingSince", "lastValidation");
		assertThat((String) replica.get("position")).startsWith(pos.generation() + "/");
		assertThat((String) replica.get("lastSync")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
		assertThat(response.body()).doesNotContain("AKIAEXAMPLEKEYID", "s3cr3t-Example-Value");
	}

	@Test
	void selectorListsGenerationsSnapshotsAndWalSegments() throws Exception {
		HttpResponse<String> response = this.http.get("/actuator/litestream/app.db");
		assertThat(response.statusCode()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(response.body());
		String generation = this.replication.database().position().orElseThrow().generation();
		assertThat(json.read("$.database.path", String.class)).isEqualTo(this.replication.dbPath.toString());
		assertThat(json.read("$.replicas[0].name", String.class)).isEqualTo("file");
		assertThat(json.read("$.replicas[0].generations[0].generation", String.class)).isEqualTo(generation);
		assertThat(json.read("$.replicas[0].generations[0].current", Boolean.class)).isTrue();
		assertThat(json.read("$.replicas[0].generations[0].snapshotCount", Integer.class))
			.isEqualTo(this.replication.replica().client().snapshots(generation).size());
		assertThat(json.read("$.replicas[0].snapshots[0].index", String.class)).matches("[0-9a-f]{8}");
		List<String> offsets = json.read("$.replicas[0].walSegments[*].offset");
		assertThat(offsets).isNotEmpty().allMatch((offset) -> offset.matches("[0-9a-f]{8}"));
		assertThat(json.read("$.replicas[0].generations[0].walSegmentCount", Integer.class)).isEqualTo(offsets.size());
		assertThat(json.read("$.replicas[0].walSegmentsOmitted", Integer.class)).isZero();
		assertThat(this.http.get("/actuator/litestream/" + this.replication.dbPath.getFileName()).statusCode())
			.isEqualTo(200);
	}

	@Test
	void unknownDatabaseIsNotFound() throws Exception {
		assertThat(this.http.get("/actuator/litestream/missing.db").statusCode()).isEqualTo(404);
	}

	@Test
	void syncNowReturnsTheReplicatedPosition() throws Exception {
		Pos before = this.replication.database().position().orElseThrow();
		this.replication.app.insert(5);
		// Wait until the monitor copied the new rows, so the sync below has them to ship.
		await().until(() -> this.replication.database().position().orElseThrow().compareTo(before) > 0);
		Pos copied = this.replication.database().position().orElseThrow();
		HttpResponse<String> response = this.http.post("/actuator/litestream/app.db/sync", "{\"replica\":\"file\"}");
		assertThat(response.statusCode()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(response.body());
		assertThat(json.read("$.action", String.class)).isEqualTo("sync");
		assertThat(json.read("$.replicas[0].name", String.class)).isEqualTo("file");
		assertThat(json.read("$.replicas[0]", Map.class)).doesNotContainKey("error");
		String[] position = json.read("$.replicas[0].position", String.class).split("[/:]");
		Pos returned = new Pos(position[0], Long.parseLong(position[1], 16), Long.parseLong(position[2], 16));
		assertThat(returned.generation()).isEqualTo(copied.generation());
		assertThat(returned).isGreaterThanOrEqualTo(copied);
	}

	@Test
	void snapshotNowStoresASnapshot() throws Exception {
		String generation = this.replication.database().position().orElseThrow().generation();
		int before = this.replication.replica().client().snapshots(generation).size();
		this.replication.app.insert(3);
		long indexBefore = this.replication.database().position().orElseThrow().index();
		HttpResponse<String> response = this.http.post("/actuator/litestream/app.db/snapshot", "{}");
		long indexAfter = this.replication.database().position().orElseThrow().index();
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(JsonPath.parse(response.body()).read("$.replicas[0].position", String.class))
			.startsWith(generation + "/");
		assertThat(this.replication.replica().client().snapshots(generation).size()).isGreaterThanOrEqualTo(before);
		// A checkpoint may start the next index while the request runs.
		assertThat(this.replication.replica().client().snapshots(generation))
			.anyMatch((snapshot) -> snapshot.index() >= indexBefore && snapshot.index() <= indexAfter);
	}

	@Test
	void databasesOfTheSameFileNameAreToldApartByTheirPath() throws Exception {
		Path other = Files.createDirectories(this.replication.dir.resolve("other")).resolve("app.db");
		String mine = this.replication.database().path().toString();
		DatabaseRegistry registry = new DatabaseRegistry(this.replication.litestream);
		try (AppDatabase app = new AppDatabase(other)) {
			app.insert(2);
			registry.register(DatabaseOptions.defaults(other), List.of(new ReplicationTarget(
					new FileReplicaClient(this.replication.dir.resolve("other-replica")), ReplicaOptions.defaults("file"))));
			HttpResponse<String> ambiguous = this.http.get("/actuator/litestream/app.db");
			assertThat(ambiguous.statusCode()).isEqualTo(400);
			assertThat(ambiguous.body()).contains("path");
			String query = "/actuator/litestream/app.db?path=" + URLEncoder.encode(other.toString(), StandardCharsets.UTF_8);
			HttpResponse<String> selected = this.http.get(query);
			assertThat(selected.statusCode()).isEqualTo(200);
			assertThat(JsonPath.parse(selected.body()).read("$.database.path", String.class)).isEqualTo(other.toString());
			HttpResponse<String> synced = this.http.post("/actuator/litestream/app.db/sync",
					"{\"path\":\"" + mine + "\"}");
			assertThat(synced.statusCode()).isEqualTo(200);
			assertThat(JsonPath.parse(synced.body()).read("$.database", String.class)).isEqualTo(mine);
		}
		finally {
			registry.unregister(other, Duration.ofSeconds(30), DatabaseRegistry.Backups.KEEP);
		}
	}

	@Test
	void badRequestsAreRejected() throws Exception {
		assertThat(this.http.post("/actuator/litestream/app.db/vacuum", "{}").statusCode()).isEqualTo(400);
		assertThat(this.http.post("/actuator/litestream/missing.db/sync", "{}").statusCode()).isEqualTo(400);
		assertThat(this.http.post("/actuator/litestream/app.db/sync", "{\"replica\":\"nope\"}").statusCode())
			.isEqualTo(400);
	}

}
