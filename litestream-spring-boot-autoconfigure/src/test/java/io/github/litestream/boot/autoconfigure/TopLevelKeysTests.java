package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keys directly under {@code litestream.}: a misspelt one fails startup naming the key it
 * meant, the sidecar's keys that mean nothing in-process are ignored with a WARN, v0.5's global
 * retention settings are refused, environment variables are left alone, and so are system
 * properties but for misspellings of a key.
 */
@ExtendWith(OutputCaptureExtension.class)
class TopLevelKeysTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class));

	@Test
	void aMisspeltListOfDatabasesNamesTheKeyItMeant() {
		FailureAnalysis analysis = fail("litestream.db[0].path=" + this.dir.resolve("app.db"),
				"litestream.db[0].replicas[0].url=file://" + this.dir.resolve("replica"));
		assertThat(analysis.getDescription()).contains("litestream.db[0].path is not a key of the starter");
		assertThat(analysis.getAction()).contains("Did you mean litestream.dbs?");
	}

	@Test
	void aDatabaseWrittenWithoutItsDashIsRefused() {
		// YAML "dbs:" then "path:" without "- ": Spring binds no entry, and nothing is replicated.
		FailureAnalysis analysis = fail("litestream.dbs.path=" + this.dir.resolve("app.db"),
				"litestream.dbs.replicas[0].url=file://" + this.dir.resolve("replica"));
		assertThat(analysis.getDescription()).contains("litestream.dbs is a list")
			.contains("so Spring would ignore it");
		assertThat(analysis.getAction()).contains("litestream.dbs[0].")
			.contains("begin each entry of litestream.dbs with a dash");
	}

	@Test
	void aDatabaseIndexedWithADotIsAnEntry() {
		this.runner
			.withPropertyValues("litestream.dbs.0.path=" + this.dir.resolve("app.db"),
					"litestream.dbs.0.replicas.0.url=file://" + this.dir.resolve("replica"),
					"litestream.dbs.0.restore.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.getBean(LitestreamProperties.class)
				.satisfies((properties) -> assertThat(properties.getDbs()).singleElement()
					.satisfies((db) -> assertThat(db.getReplicas()).hasSize(1))));
	}

	@Test
	void aReplicaWrittenWithoutItsDashIsRefused() {
		FailureAnalysis analysis = fail("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas.url=file://" + this.dir.resolve("replica"));
		assertThat(analysis.getDescription()).contains("litestream.dbs[0].replicas is a list");
		assertThat(analysis.getAction()).contains("litestream.dbs[0].replicas[0].url");
	}

	@Test
	void aMisspeltSettingNamesTheKeyItMeant() {
		FailureAnalysis analysis = fail(database("litestream.shutdown-timout=10s"));
		assertThat(analysis.getDescription()).contains("'litestream.shutdown-timout'");
		assertThat(analysis.getAction()).contains("Did you mean litestream.shutdown-timeout?");
	}

	@Test
	void aKeyLikeNoneListsTheKeys() {
		FailureAnalysis analysis = fail(database("litestream.replicate-everything=true"));
		assertThat(analysis.getAction()).contains("Remove litestream.replicate-everything")
			.contains("dbs")
			.contains("busy-timeout");
	}

	@Test
	void theKeysOfTheStarterAndOfTheActuatorPass() {
		this.runner
			.withPropertyValues(database("litestream.busy-timeout=3s", "litestream.shutdownTimeout=20s",
					"litestream.capture-threads=2", "litestream.expand-env=false", "litestream.access-key-id=AK",
					"litestream.secret-access-key=SK", "litestream.health.max-lag=1m",
					"litestream.metrics.max-databases=10"))
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void theSidecarsOwnKeysAreIgnoredWithAWarning(CapturedOutput output) {
		this.runner.withPropertyValues(database("litestream.addr=:9090", "litestream.logging.level=debug"))
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("litestream.addr is ignored: it is Litestream's metrics server")
			.contains("/actuator/prometheus")
			.contains("litestream.logging is ignored")
			.contains("logging.level.io.github.litestream");
	}

	@Test
	void aDatabaseEntrysMetaPathIsIgnoredWithAWarning(CapturedOutput output) {
		this.runner.withPropertyValues(database("litestream.dbs[0].meta-path=" + this.dir.resolve("meta")))
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("litestream.dbs[0].meta-path is ignored")
			.contains("the first start begins a new generation");
	}

	@Test
	void litestreamV05sGlobalSnapshotSettingsAreRefused() {
		FailureAnalysis analysis = fail(database("litestream.snapshot.retention=24h"));
		assertThat(analysis.getDescription()).contains("litestream.snapshot is Litestream v0.5's key");
		assertThat(analysis.getAction()).contains("retention on each replica");
	}

	@Test
	void environmentVariablesAreNotChecked() {
		// A container may still set the sidecar's variables.
		Map<String, Object> variables = Map.of("LITESTREAM_CONFIG", "/etc/litestream.yml");
		this.runner.withPropertyValues(database())
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
						StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables)))
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void systemPropertiesThatAreNoMisspellingAreLeftAlone() {
		// The JVM's own settings, which the engine reads outside Spring, and other programs'.
		this.runner.withPropertyValues(database())
			.withSystemProperties("litestream.age.provider=jdk", "litestream.cli.jar=/tmp/cli.jar",
					"litestream.version=0.3.14")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aMisspeltSystemPropertyNamesTheKeyItMeant() {
		this.runner.withPropertyValues(database())
			.withSystemProperties("litestream.shutdown-timout=5s")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.contains("the JVM system property litestream.shutdown-timout is not a key of the starter");
				assertThat(analysis.getAction()).contains("Did you mean litestream.shutdown-timeout?")
					.contains("-Dlitestream.shutdown-timout");
			});
	}

	@Test
	void aGlobalAgeSettingSaysWhereAgeIsSet() {
		FailureAnalysis analysis = fail(database("litestream.age.provider=conscrypt"));
		assertThat(analysis.getDescription()).contains("litestream.age is not read from the configuration");
		assertThat(analysis.getAction()).contains("litestream.dbs[n].replicas[m].age")
			.contains("-Dlitestream.age.provider=");
	}

	private String[] database(String... more) {
		String[] properties = new String[more.length + 3];
		properties[0] = "litestream.dbs[0].path=" + this.dir.resolve("app.db");
		properties[1] = "litestream.dbs[0].replicas[0].url=file://" + this.dir.resolve("replica");
		properties[2] = "litestream.dbs[0].restore.enabled=false";
		System.arraycopy(more, 0, properties, 3, more.length);
		return properties;
	}

	private FailureAnalysis fail(String... properties) {
		FailureAnalysis[] analysis = new FailureAnalysis[1];
		this.runner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			analysis[0] = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
		});
		return analysis[0];
	}

}
