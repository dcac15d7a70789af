package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys of a database entry that Litestream v0.5 has and the starter sets elsewhere.
 */
class DatabaseEntryKeysTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class));

	@Test
	void aDatabasesBusyTimeoutPointsToTheGlobalKey() {
		for (String key : new String[] { "busy-timeout", "busyTimeout" }) {
			this.runner
				.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("app.db"),
						"litestream.dbs[0].replicas[0].url=file://" + this.dir.resolve("replica"),
						"litestream.dbs[0]." + key + "=5s")
				.run((context) -> {
					FailureAnalysis analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
					assertThat(analysis.getDescription()).as(key)
						.contains("litestream.dbs[0].busy-timeout is Litestream v0.5's key of a database")
						.contains("set once");
					assertThat(analysis.getAction()).as(key).contains("Move it to litestream.busy-timeout");
				});
		}
	}

}
