package io.github.litestream.boot.actuate;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without the user exposing it, the endpoint is not reachable over HTTP (Spring's default
 * exposure is {@code health} only), for reads and writes alike.
 */
@SpringBootTest(classes = ActuateTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "litestream.enabled=false")
class LitestreamEndpointNotExposedTests {

	@LocalServerPort
	int port;

	@Autowired
	ApplicationContext context;

	@Test
	void endpointIsAbsent() throws Exception {
		Http http = new Http(this.port);
		assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(http.get("/actuator/litestream").statusCode()).isEqualTo(404);
		assertThat(http.get("/actuator/litestream/app.db").statusCode()).isEqualTo(404);
		assertThat(http.post("/actuator/litestream/app.db/sync", "{}").statusCode()).isEqualTo(404);
		assertThat(this.context.getBeansOfType(LitestreamEndpoint.class)).isEmpty();
	}

}
