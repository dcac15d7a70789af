package io.github.litestream.boot.actuate;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.github.litestream.AppDatabase;
import io.github.litestream.replica.Pos;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The endpoint's recovery operations, enabled, over HTTP in a real web application: a restore
 * of a point in time lands in a new side file holding exactly the committed rows of that
 * point, the live database file is left alone, and validation compares the replica with the
 * database now.
 */
@SpringBootTest(classes = ActuateTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=litestream", "litestream.enabled=false",
				// the reason of a 400 is in the body only when the application shows messages
				"spring.web.error.include-message=always",
				"management.endpoint.litestream.restore.enabled=true",
				"management.endpoint.litestream.validate.enabled=true" })
class LitestreamEndpointRecoveryWebTests {

	@LocalServerPort
	int port;

	@Autowired
	TestReplication replication;

	private Http http;

	@BeforeEach
	void setUp() throws Exception {
		this.http = new Http(this.port);
		this.replication.app.insert(10);
		// one monitor step now, so the position covers every row just committed (a step that
		// ran before the inserts would already count as caught up)
		this.replication.database().sync();
		await().until(this.replication::caughtUp);
	}

	@Test
	void restoresTheLatestStateIntoANewSideFile() throws Exception {
		long rows = this.replication.app.lastSeq();

		HttpResponse<String> response = this.http.post("/actuator/litestream/app.db/restore", "{}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(response.body());
		Path output = Path.of(json.read("$.output", String.class));
		assertThat(output.getParent()).as("hidden: no directory entry takes it for a new database")
			.isEqualTo(this.replication.dbPath.getParent().resolve(".litestream-restored"));
		assertThat(output).isNotEqualTo(this.replication.dbPath);
		assertThat(output.getFileName().toString()).matches("app-restored-\\d{8}T\\d{9}Z\\.db");
		assertThat(json.read("$.replica", String.class)).isEqualTo("file");
		AppDatabase.Summary summary = AppDatabase.summarize(output);
		assertThat(summary.isGapFreePrefix()).isTrue();
		assertThat(summary.max()).isEqualTo(rows);
		Files.delete(output);
	}

	@Test
	void restoresAnIndexAndLeavesTheLiveDatabaseAlone() throws Exception {
		Pos first = this.replication.database().position().orElseThrow();
		byte[] live = sha256(this.replication.dbPath);

		HttpResponse<String> response = this.http.post("/actuator/litestream/app.db/restore",
				"{\"replica\": \"file\", \"index\": \"" + Pos.hex(first.index()) + "\"}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Path output = Path.of(JsonPath.parse(response.body()).read("$.output", String.class));
		assertThat(JsonPath.parse(response.body()).read("$.index", String.class)).isEqualTo(Pos.hex(first.index()));
		assertThat(AppDatabase.summarize(output).isGapFreePrefix()).isTrue();
		assertThat(sha256(this.replication.dbPath)).isEqualTo(live);
		Files.delete(output);
	}

	@Test
	void aRefusedRestoreNamesTheFixAndWritesNothing() throws Exception {
		long filesBefore = Files.list(this.replication.dir).count();

		HttpResponse<String> early = this.http.post("/actuator/litestream/app.db/restore",
				"{\"timestamp\": \"2000-01-01T00:00:00Z\"}");
		HttpResponse<String> missing = this.http.post("/actuator/litestream/app.db/restore",
				"{\"index\": \"0000ffff\"}");

		assertThat(early.statusCode()).isEqualTo(400);
		assertThat(early.body()).contains("choose a timestamp at or after");
		assertThat(missing.statusCode()).isEqualTo(400);
		assertThat(missing.body()).contains("has no index 0000ffff");
		assertThat(Files.list(this.replication.dir).count()).isEqualTo(filesBefore);
	}

	@Test
	void validatesNow() throws Exception {
		HttpResponse<String> response = this.http.post("/actuator/litestream/app.db/validate", "{}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(response.body());
		assertThat(json.read("$.replicas[0].name", String.class)).isEqualTo("file");
		assertThat(json.read("$.replicas[0].matched", Boolean.class)).as(response.body()).isTrue();
		assertThat(this.replication.replica().status().lastValidation()).isNotNull();
	}

	private static byte[] sha256(Path file) throws Exception {
		return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
	}

	static String hex(byte[] bytes) {
		return HexFormat.of().formatHex(bytes);
	}

}
