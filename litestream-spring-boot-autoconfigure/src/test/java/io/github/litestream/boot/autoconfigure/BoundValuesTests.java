package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Values a sidecar's {@code litestream.yml} writes that Spring would read otherwise than
 * Litestream: durations without their unit, booleans that are not.
 */
class BoundValuesTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class));

	@Test
	void aReplicaDurationWithoutItsUnitFailsStartupNamingTheFileAndTheUnits() throws IOException {
		PropertySource<?> yaml = yaml("""
				litestream:
				  dbs:
				    - path: %s
				      replicas:
				        - path: %s
				          sync-interval: 10
				""".formatted(this.dir.resolve("app.db"), this.dir.resolve("backups")));
		this.runner.withInitializer((context) -> context.getEnvironment().getPropertySources().addFirst(yaml))
			.run((context) -> {
				FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[0].sync-interval'")
					.contains("'10' has no unit")
					.contains("application.yml")
					.contains("milliseconds");
				assertThat(analysis.getAction()).contains("10s, 10m or 10h");
			});
	}

	@Test
	void aDurationWithoutItsUnitFailsStartupWhereverItIs() {
		for (String property : new String[] { "litestream.dbs[0].replicas[0].snapshot-interval=3600",
				"litestream.dbs[0].replicas[0].retention=24", "litestream.dbs[0].monitor-interval=1",
				"litestream.busy-timeout=5000" }) {
			String name = property.substring(0, property.indexOf('='));
			this.runner.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("backups"), property)
				.run((context) -> assertThat(
						LitestreamAutoConfigurationTests.analysis(context.getStartupFailure()).getDescription())
					.as(property)
					.contains("'" + name + "'")
					.contains("has no unit"));
		}
	}

	@Test
	void durationsWithTheirUnitOrZeroBindAsWritten() {
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("backups"),
					"litestream.dbs[0].replicas[0].sync-interval=10s",
					"litestream.dbs[0].replicas[0].snapshot-interval=0",
					"litestream.dbs[0].replicas[0].retention=24h")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				LitestreamProperties.Replica replica = context.getBean(LitestreamProperties.class)
					.getDbs()
					.get(0)
					.getReplicas()
					.get(0);
				assertThat(replica.getSyncInterval()).isEqualTo(Duration.ofSeconds(10));
				assertThat(replica.getSnapshotInterval()).isZero();
				assertThat(replica.getRetention()).isEqualTo(Duration.ofHours(24));
			});
	}

	@Test
	void goDurationsOfSeveralUnitsOrWithAFractionBindAsLitestreamReadsThem() {
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
					"litestream.dbs[0].monitor-interval=1.5s",
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("backups"),
					"litestream.dbs[0].replicas[0].sync-interval=2m3.25s",
					"litestream.dbs[0].replicas[0].snapshot-interval=1h30m",
					"litestream.dbs[0].replicas[0].retention=1.5h")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				LitestreamProperties.Database database = context.getBean(LitestreamProperties.class).getDbs().get(0);
				LitestreamProperties.Replica replica = database.getReplicas().get(0);
				assertThat(database.getMonitorInterval()).isEqualTo(Duration.ofMillis(1500));
				assertThat(replica.getSyncInterval()).isEqualTo(Duration.ofMillis(123_250));
				assertThat(replica.getSnapshotInterval()).isEqualTo(Duration.ofMinutes(90));
				assertThat(replica.getRetention()).isEqualTo(Duration.ofMinutes(90));
			});
	}

	@Test
	void aDurationNeitherFormatReadsNamesTheKeyAndHowToWriteIt() {
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("backups"),
					"litestream.dbs[0].replicas[0].retention=1y")
			.run((context) -> {
				FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'litestream.dbs[0].replicas[0].retention'")
					.contains("'1y' is not a duration");
				assertThat(analysis.getAction()).contains("1h30m");
			});
	}

	@Test
	void aPropertyWithADurationUnitStillTakesANumber() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("test", Map.of("litestream.test.wait", "10")));
		Binder binder = Binder.get(environment,
				new LitestreamBindHandler(new PropertySourcesPlaceholdersResolver(environment)));
		assertThat(binder.bind("litestream.test", InSeconds.class).get().getWait()).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void aSkipVerifyThatIsNotABooleanNamesTheKeyAndItsValues() {
		for (Object value : new Object[] { 1, "maybe" }) {
			this.runner
				.withInitializer((context) -> context.getEnvironment()
					.getPropertySources()
					.addFirst(new MapPropertySource("yaml",
							Map.of("litestream.dbs[0].path", this.dir.resolve("app.db").toString(),
									"litestream.dbs[0].replicas[0].url", "s3://bucket/app",
									"litestream.dbs[0].replicas[0].endpoint", "https://localhost:1",
									"litestream.dbs[0].replicas[0].skip-verify", value))))
				.run((context) -> {
					FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
					assertThat(analysis.getDescription()).as("%s", value)
						.contains("'litestream.dbs[0].replicas[0].skip-verify'")
						.contains("'" + value + "' is not a boolean")
						.doesNotContain("converter");
					assertThat(analysis.getAction()).contains("to true or false");
				});
		}
	}

	@Test
	void aToolReadingTheConfigurationGetsTheSameError() throws IOException {
		ConfigurableEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(yaml("""
				litestream:
				  dbs:
				    - path: %s
				      replicas:
				        - path: %s
				          retention: 24
				""".formatted(this.dir.resolve("app.db"), this.dir.resolve("backups"))));
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> StandaloneLitestreamConfiguration.read(environment, (name) -> null))
			.satisfies((ex) -> {
				assertThat(ex.getProperty()).isEqualTo("litestream.dbs[0].replicas[0].retention");
				assertThat(ex.getProblem()).contains("'24' has no unit");
				assertThat(ex.getAction()).contains("24h");
			});
	}

	private PropertySource<?> yaml(String content) throws IOException {
		Path file = Files.writeString(this.dir.resolve("application.yml"), content);
		return new YamlPropertySourceLoader().load("application.yml", new FileSystemResource(file)).get(0);
	}

	/** A properties class whose duration documents its unit. */
	public static class InSeconds {

		@DurationUnit(ChronoUnit.SECONDS)
		private Duration wait;

		public Duration getWait() {
			return this.wait;
		}

		public void setWait(Duration wait) {
			this.wait = wait;
		}

	}

}
