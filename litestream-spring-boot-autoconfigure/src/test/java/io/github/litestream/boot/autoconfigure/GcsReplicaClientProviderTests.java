package io.github.litestream.boot.autoconfigure;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.litestream.replica.gcs.GcsClientFactory;
import io.github.litestream.replica.gcs.GcsReplicaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The Google Cloud Storage provider binds Litestream's {@code gcs} keys: the URL form, or
 * {@code type: gcs} with bucket and path; errors name the property to fix.
 */
class GcsReplicaClientProviderTests {

	private static final String PREFIX = "litestream.dbs[0].replicas[0]";

	private final GcsReplicaClientProvider provider = new GcsReplicaClientProvider(GcsClientFactory.withDefaults());

	@TempDir
	Path dir;

	@Test
	void urlNamesBucketAndPath() {
		assertThat(configure(URI.create("gcs://bucket/backups/app"), null, Map.of()).location())
			.isEqualTo("gcs://bucket/backups/app");
	}

	@Test
	void bucketAndPathWithoutAUrl() {
		assertThat(configure(null, "backups/app", Map.of("bucket", "b")).location()).isEqualTo("gcs://b/backups/app");
	}

	@Test
	void missingBucketNamesTheKey() {
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> configure(null, "backups/app", Map.of()))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(PREFIX + ".bucket"));
	}

	@Test
	void urlAndBucketTogetherAreAmbiguousAsInLitestream() {
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> configure(URI.create("gcs://bucket/db"), null, Map.of("bucket", "other")))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(PREFIX + ".bucket"));
	}

	@Test
	void aGcsUrlMakesAGcsReplica() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withPropertyValues("litestream.dbs[0].path=" + this.dir.resolve("a.db"),
					"litestream.dbs[0].replicas[0].url=gcs://bucket/backups/app", "litestream.dbs[0].restore.enabled=false",
					// a port nobody listens on: the replica's first sync fails at once, without looking for credentials
					"STORAGE_EMULATOR_HOST=127.0.0.1:9", "litestream.shutdown-timeout=1s")
			.run((context) -> {
				assertThat(context.getBean(LitestreamDatabases.class).databases().get(0).replicas())
					.singleElement()
					.satisfies((replica) -> {
						assertThat(replica.type()).isEqualTo("gcs");
						assertThat(replica.backend()).isEqualTo(GcsReplicaConfig.fromUrl("gcs://bucket/backups/app"));
					});
			});
	}

	private GcsReplicaConfig configure(URI url, String path, Map<String, String> keys) {
		Map<String, String> source = new LinkedHashMap<>();
		keys.forEach((key, value) -> source.put(PREFIX + "." + key, value));
		Binder binder = new Binder(new MapConfigurationPropertySource(source));
		return this.provider.configure(new ReplicaEntry(PREFIX, "gcs", url, path, binder));
	}

}
