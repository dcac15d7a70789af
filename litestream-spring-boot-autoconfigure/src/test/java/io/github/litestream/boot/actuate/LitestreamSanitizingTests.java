package io.github.litestream.boot.actuate;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.env.EnvironmentEndpointAutoConfiguration;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.actuate.env.EnvironmentEndpoint.EnvironmentEntryDescriptor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The actuator's {@code env} endpoint, with values shown, never shows an age identity, and
 * still shows the public recipients.
 */
class LitestreamSanitizingTests {

	private static final String IDENTITY = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";

	private static final String RECIPIENT = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";

	@Test
	void identitiesAreSanitizedInTheEnvironmentEndpoint() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
					EnvironmentEndpointAutoConfiguration.class, LitestreamSanitizingAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=env", "management.endpoint.env.show-values=always",
					"litestream.dbs[0].replicas[0].age.identities[0]=" + IDENTITY,
					"litestream.dbs[0].replicas[0].age.recipients[0]=" + RECIPIENT, "app.note=" + IDENTITY.toLowerCase())
			.run((context) -> {
				EnvironmentEndpoint endpoint = context.getBean(EnvironmentEndpoint.class);
				assertThat(value(endpoint, "litestream.dbs[0].replicas[0].age.identities[0]")).isEqualTo("******");
				assertThat(value(endpoint, "app.note")).isEqualTo("******");
				assertThat(value(endpoint, "litestream.dbs[0].replicas[0].age.recipients[0]")).isEqualTo(RECIPIENT);
			});
	}

	private static Object value(EnvironmentEndpoint endpoint, String key) {
		EnvironmentEntryDescriptor entry = endpoint.environmentEntry(key);
		List<Object> values = entry.getPropertySources()
			.stream()
			.filter((source) -> source.getProperty() != null)
			.map((source) -> (Object) source.getProperty().getValue())
			.toList();
		return values.get(0);
	}

}
