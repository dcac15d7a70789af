package io.github.litestream.boot.actuate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.Litestream;
import io.github.litestream.boot.autoconfigure.LitestreamAutoConfiguration;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listeners are attached when the engine starts, before any database is opened, so the meters
 * see what replication does from its first moment: the first snapshot is counted.
 */
class LitestreamMetricsOnStartTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, LitestreamAutoConfiguration.class,
				LitestreamReplicaLagAutoConfiguration.class, LitestreamMetricsAutoConfiguration.class))
		.withUserConfiguration(Registries.class);

	@Test
	void startingCallbacksRunWithTheDatabasesRegisteredBeforeTheEngineStarts() {
		this.runner.withPropertyValues(properties()).run((context) -> {
			assertThat(context).hasNotFailed();
			Registries registries = context.getBean(Registries.class);
			assertThat(registries.seen).containsExactly("1 database(s), running=false");
		});
	}

	@Test
	void theFirstSnapshotIsCounted() {
		this.runner.withPropertyValues(properties()).run((context) -> {
			assertThat(context).hasNotFailed();
			SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
			await().atMost(Duration.ofSeconds(30)).until(() -> snapshotFiles().size() == 1 && snapshots(registry) == 1);
			assertThat(snapshots(registry)).isEqualTo(snapshotFiles().size());
		});
	}

	private String[] properties() {
		return new String[] { "spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
				"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica") };
	}

	private static long snapshots(SimpleMeterRegistry registry) {
		Timer timer = registry.find("litestream.snapshot").timer();
		return (timer != null) ? timer.count() : 0;
	}

	private List<Path> snapshotFiles() throws IOException {
		Path generations = this.dir.resolve("replica/generations");
		if (!Files.exists(generations)) {
			return List.of();
		}
		try (Stream<Path> files = Files.walk(generations)) {
			return files.filter((file) -> file.toString().endsWith(".snapshot.lz4")).toList();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Registries {

		final List<String> seen = new ArrayList<>();

		// Bound when created, as Boot's metrics auto-configuration binds every MeterBinder.
		@Bean
		SimpleMeterRegistry simpleMeterRegistry(LitestreamMetrics metrics) {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			metrics.bindTo(registry);
			return registry;
		}

		@Bean
		Object recordingStartingCallback(Litestream litestream) {
			litestream.onStarting(() -> this.seen
				.add(litestream.databases().size() + " database(s), running=" + litestream.isRunning()));
			return this.seen;
		}

	}

}
