package io.github.litestream.boot.actuate;

import java.net.http.HttpResponse;
import java.util.List;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code litestream} health indicator over HTTP, driven by a replica that really fails:
 * its directory is replaced by a regular file, then restored.
 */
@SpringBootTest(classes = ActuateTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "litestream.enabled=false", "management.endpoint.health.show-details=always",
				"litestream.health.max-failure-duration=500ms" })
class LitestreamHealthWebTests {

	@LocalServerPort
	int port;

	@Autowired
	TestReplication replication;

	@Test
	void upThenDownWhileTheReplicaFailsThenUpAgain() throws Exception {
		Http http = new Http(this.port);
		this.replication.app.insert(5);
		await().until(this.replication::caughtUp);
		DocumentContext up = health(http, 200);
		assertThat(up.read("$.status", String.class)).isEqualTo("UP");
		String replica = "$.details.databases['" + this.replication.dbPath + "'].replicas.file";
		assertThat(up.read(replica + ".type", String.class)).isEqualTo("file");
		assertThat(up.read(replica + ".lagSeconds", Double.class)).isZero();

		this.replication.breakReplica();
		this.replication.app.insert(5);
		await().untilAsserted(() -> {
			DocumentContext down = health(http, 503);
			assertThat(down.read("$.status", String.class)).isEqualTo("DOWN");
			List<String> problems = down.read("$.details.problems");
			assertThat(problems).anyMatch((problem) -> problem.contains("replica 'file'") && problem.contains("failing"));
			assertThat(down.read(replica + ".lastError", String.class)).isNotBlank();
		});

		this.replication.repairReplica();
		await().untilAsserted(() -> assertThat(health(http, 200).read("$.status", String.class)).isEqualTo("UP"));
		await().until(this.replication::caughtUp);
	}

	private static DocumentContext health(Http http, int expectedStatus) throws Exception {
		HttpResponse<String> response = http.get("/actuator/health/litestream");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
		return JsonPath.parse(response.body());
	}

}
