package io.github.litestream.boot.actuate;

import java.net.http.HttpResponse;

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
 * The endpoint's JSON keeps its shape whatever the application's own Jackson settings are:
 * its descriptors are {@code OperationResponseBody}s, written by the actuator's own mapper.
 */
@SpringBootTest(classes = ActuateTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=litestream", "litestream.enabled=false",
				"spring.jackson.property-naming-strategy=SNAKE_CASE" })
class LitestreamEndpointJsonTests {

	@LocalServerPort
	int port;

	@Autowired
	TestReplication replication;

	@Test
	void applicationJacksonSettingsDoNotChangeTheEndpoint() throws Exception {
		this.replication.app.insert(3);
		await().until(this.replication::caughtUp);
		Http http = new Http(this.port);
		DocumentContext all = JsonPath.parse(http.get("/actuator/litestream").body());
		assertThat(all.read("$.databases[0].walSize", Long.class)).isPositive();
		assertThat(all.read("$.databases[0].replicas[0]", java.util.Map.class)).containsKeys("lagSeconds", "lastSync");
		DocumentContext one = JsonPath.parse(http.get("/actuator/litestream/app.db").body());
		assertThat(one.read("$.replicas[0].walSegments[0].createdAt", String.class)).isNotBlank();
		HttpResponse<String> sync = http.post("/actuator/litestream/app.db/sync", "{}");
		assertThat(JsonPath.parse(sync.body()).read("$.replicas[0].name", String.class)).isEqualTo("file");
	}

}
