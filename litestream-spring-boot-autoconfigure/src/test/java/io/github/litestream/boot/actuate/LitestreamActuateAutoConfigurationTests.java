package io.github.litestream.boot.actuate;

import io.github.litestream.Litestream;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conditions of the actuate auto-configurations.
 */
class LitestreamActuateAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamReplicaLagAutoConfiguration.class,
				LitestreamEndpointAutoConfiguration.class, LitestreamHealthContributorAutoConfiguration.class,
				LitestreamMetricsAutoConfiguration.class));

	private final ApplicationContextRunner withEngine = this.runner.withBean(Litestream.class, Litestream::new);

	@Test
	void nothingWithoutAnEngine() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(ReplicaLagTracker.class)
			.doesNotHaveBean(LitestreamHealthIndicator.class)
			.doesNotHaveBean(LitestreamMetrics.class)
			.doesNotHaveBean(ReplicaOperationMetrics.class));
	}

	@Test
	void healthAndMetricsWithAnEngine() {
		this.withEngine.run((context) -> assertThat(context).hasSingleBean(ReplicaLagTracker.class)
			.hasBean("litestreamHealthIndicator")
			.hasSingleBean(LitestreamMetrics.class)
			.hasSingleBean(ReplicaOperationMetrics.class)
			.doesNotHaveBean(LitestreamEndpoint.class));
	}

	@Test
	void endpointOnlyWhenExposed() {
		this.withEngine.withPropertyValues("management.endpoints.web.exposure.include=litestream")
			.run((context) -> assertThat(context).hasSingleBean(LitestreamEndpoint.class));
		this.withEngine.withPropertyValues("management.endpoints.web.exposure.include=litestream",
				"management.endpoint.litestream.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(LitestreamEndpoint.class));
	}

	@Test
	void healthIndicatorCanBeDisabled() {
		this.withEngine.withPropertyValues("management.health.litestream.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(LitestreamHealthIndicator.class));
	}

	@Test
	void healthPropertiesBind() {
		this.withEngine.withPropertyValues("litestream.health.max-lag=30s")
			.run((context) -> assertThat(context.getBean(LitestreamHealthProperties.class).getMaxLag())
				.hasSeconds(30));
	}

	@Test
	void aNegativeHealthThresholdFailsStartupNamingIt() {
		this.withEngine.withPropertyValues("litestream.health.max-details=-1").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(io.github.litestream.boot.autoconfigure.LitestreamConfigurationException.class)
				.hasMessageContaining("litestream.health.max-details");
		});
	}

	@Test
	void noMetricsWithoutMicrometer() {
		this.withEngine.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(LitestreamMetrics.class)
				.hasBean("litestreamHealthIndicator"));
	}

	@Test
	void noEndpointOrHealthWithoutActuator() {
		this.withEngine.withPropertyValues("management.endpoints.web.exposure.include=litestream")
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
					"org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(LitestreamEndpoint.class)
				.doesNotHaveBean(LitestreamHealthIndicator.class)
				.hasSingleBean(LitestreamMetrics.class));
	}

	@Test
	void standbyDbHealthOnlyWithSpringBootsDataSourceHealth() {
		this.withEngine.run((context) -> assertThat(context).hasSingleBean(StandbyDataSourceHealthPostProcessor.class));
		this.withEngine.withClassLoader(new FilteredClassLoader("org.springframework.boot.jdbc"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(StandbyDataSourceHealthPostProcessor.class)
				.hasBean("litestreamHealthIndicator"));
		this.withEngine.withPropertyValues("management.health.db.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(StandbyDataSourceHealthPostProcessor.class));
	}

}
