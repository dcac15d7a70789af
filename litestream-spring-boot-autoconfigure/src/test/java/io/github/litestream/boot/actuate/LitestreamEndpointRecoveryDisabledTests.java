package io.github.litestream.boot.actuate;

import java.net.http.HttpResponse;
import java.nio.file.Files;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the endpoint exposed but the recovery operations not enabled, restore and validate
 * are refused with the property that enables them, and nothing is written.
 */
@SpringBootTest(classes = ActuateTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=litestream", "litestream.enabled=false",
				// the reason of a 400 is in the body only when the application shows messages
				"spring.web.error.include-message=always" })
class LitestreamEndpointRecoveryDisabledTests {

	@LocalServerPort
	int port;

	@Autowired
	TestReplication replication;

	@Test
	void restoreAndValidateAreOffUnlessEnabled() throws Exception {
		Http http = new Http(this.port);
		long filesBefore = Files.list(this.replication.dir).count();

		HttpResponse<String> restore = http.post("/actuator/litestream/app.db/restore", "{}");
		HttpResponse<String> validate = http.post("/actuator/litestream/app.db/validate", "{}");

		assertThat(restore.statusCode()).isEqualTo(400);
		assertThat(restore.body()).contains("management.endpoint.litestream.restore.enabled=true");
		assertThat(validate.statusCode()).isEqualTo(400);
		assertThat(validate.body()).contains("management.endpoint.litestream.validate.enabled=true");
		assertThat(Files.list(this.replication.dir).count()).isEqualTo(filesBefore);
		assertThat(this.replication.replica().status().lastValidation()).isNull();
	}

}
