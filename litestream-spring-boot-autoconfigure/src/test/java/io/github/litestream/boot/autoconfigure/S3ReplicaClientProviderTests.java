package io.github.litestream.boot.autoconfigure;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The S3 provider binds its own keys of a replica entry: location from the url or
 * bucket/path, and credentials where the replica's own win over {@code litestream.*}'s.
 */
class S3ReplicaClientProviderTests {

	private static final String PREFIX = "litestream.dbs[0].replicas[0]";

	private final S3ReplicaClientProvider provider = new S3ReplicaClientProvider(S3ClientFactory.builder().build(),
			"GLOBALKEY", "global-secret");

	@Test
	void replicaCredentialsWinOverTheGlobalOnes() {
		S3ReplicaConfig config = configure(URI.create("s3://bucket/db"), null,
				Map.of("access-key-id", "REPLICAKEY", "secret-access-key", "replica-secret"));
		assertThat(config.accessKeyId()).isEqualTo("REPLICAKEY");
		assertThat(config.secretAccessKey()).isEqualTo("replica-secret");
		assertThat(config.toString()).doesNotContain("REPLICAKEY", "replica-secret");
	}

	@Test
	void globalCredentialsAreTheFallback() {
		S3ReplicaConfig config = configure(URI.create("s3://bucket/db"), null, Map.of());
		assertThat(config.accessKeyId()).isEqualTo("GLOBALKEY");
		assertThat(config.secretAccessKey()).isEqualTo("global-secret");
	}

	@Test
	void bucketAndPathWithoutAUrlAndRelaxedNames() {
		S3ReplicaConfig config = configure(null, "backups/app",
				Map.of("bucket", "b", "region", "eu-west-1", "endpoint", "http://localhost:9000", "forcePathStyle",
						"false"));
		assertThat(config.location()).isEqualTo("s3://b/backups/app");
		assertThat(config.region()).isEqualTo("eu-west-1");
		assertThat(config.forcePathStyle()).isFalse();
	}

	@Test
	void missingBucketNamesTheKey() {
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> configure(null, "backups/app", Map.of("region", "eu-west-1")))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(PREFIX + ".bucket"))
			.withMessageContaining("needs a bucket");
	}

	private S3ReplicaConfig configure(URI url, String path, Map<String, String> keys) {
		Map<String, String> source = new LinkedHashMap<>();
		keys.forEach((key, value) -> source.put(PREFIX + "." + key, value));
		Binder binder = new Binder(new MapConfigurationPropertySource(source));
		return this.provider.configure(new ReplicaEntry(PREFIX, "s3", url, path, binder));
	}

}
