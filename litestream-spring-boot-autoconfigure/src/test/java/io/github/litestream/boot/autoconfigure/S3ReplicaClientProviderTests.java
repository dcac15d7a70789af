package io.github.litestream.boot.autoconfigure;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The S3 provider binds its own keys of a replica entry: location from the url or
 * bucket/path, and credentials where the replica's own win over {@code litestream.*}'s.
 */
@ExtendWith(OutputCaptureExtension.class)
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
	void halfOfTheGlobalCredentialsNamesTheGlobalKeys() {
		// litestream.yml's "secret-access-key: ${S3_SECRET}" with S3_SECRET unset.
		S3ReplicaClientProvider halfGlobal = new S3ReplicaClientProvider(S3ClientFactory.builder().build(),
				"GLOBALKEY", null);
		Binder binder = new Binder(new MapConfigurationPropertySource(Map.of()));
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> halfGlobal.configure(new ReplicaEntry(PREFIX, "s3", URI.create("s3://bucket/db"), null,
					binder)))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("litestream.secret-access-key"))
			.withMessageContaining("litestream.access-key-id is set")
			.satisfies((ex) -> assertThat(ex.getAction()).contains("Set litestream.secret-access-key"))
			.satisfies((ex) -> assertThat(ex).hasMessageNotContaining("GLOBALKEY"));
	}

	@Test
	void halfOfTheReplicasCredentialsNamesTheReplicasKeys() {
		S3ReplicaClientProvider noGlobal = new S3ReplicaClientProvider(S3ClientFactory.builder().build(), null, null);
		Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(PREFIX + ".secret-access-key", "s")));
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> noGlobal.configure(new ReplicaEntry(PREFIX, "s3", URI.create("s3://bucket/db"), null,
					binder)))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(PREFIX + ".access-key-id"))
			.withMessageContaining(PREFIX + ".secret-access-key is set");
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
	void aProviderHostInTheUrlNamesItsStoreAndTheReplicasKeysWin() {
		S3ReplicaConfig spaces = configure(URI.create("s3://backups.nyc3.digitaloceanspaces.com/app"), null, Map.of());
		assertThat(spaces.location()).isEqualTo("s3://backups/app");
		assertThat(spaces.endpoint()).isEqualTo("https://nyc3.digitaloceanspaces.com");
		assertThat(spaces.region()).isEqualTo("nyc3");
		assertThat(spaces.forcePathStyle()).isTrue();
		S3ReplicaConfig local = configure(URI.create("s3://backups.localhost:9000/app"), null, Map.of());
		assertThat(local.endpoint()).isEqualTo("http://localhost:9000");
		assertThat(local.region()).isEqualTo("us-east-1");
		S3ReplicaConfig own = configure(URI.create("s3://mine.nyc3.digitaloceanspaces.com/app"), null,
				Map.of("region", "sfo3", "endpoint", "https://sfo3.digitaloceanspaces.com"));
		assertThat(own.location()).isEqualTo("s3://mine/app");
		assertThat(own.region()).isEqualTo("sfo3");
		assertThat(own.endpoint()).isEqualTo("https://sfo3.digitaloceanspaces.com");
		// As Litestream: "cannot specify url & bucket for s3 replica".
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> configure(URI.create("s3://nyc3.digitaloceanspaces.com/app"), null,
					Map.of("bucket", "mine")))
			.withMessageContaining("both url and bucket are set");
	}

	@Test
	void aProviderHostTakesNoneOfTheSharedStoresSettings() {
		S3ReplicaClientProvider withStore = new S3ReplicaClientProvider(S3ClientFactory.builder().build(), null, null,
				S3StoreDefaults.serviceConnection(new LitestreamS3ConnectionDetails() {
					@Override
					public String endpoint() {
						return "http://minio:9000";
					}

					@Override
					public String accessKeyId() {
						return "minio";
					}

					@Override
					public String secretAccessKey() {
						return "minio-secret";
					}

					@Override
					public String region() {
						return "eu-west-1";
					}
				}));
		Binder binder = new Binder(new MapConfigurationPropertySource(Map.of()));
		S3ReplicaConfig config = withStore.configure(
				new ReplicaEntry(PREFIX, "s3", URI.create("s3://backups.nyc3.digitaloceanspaces.com/app"), null, binder));
		assertThat(config.endpoint()).isEqualTo("https://nyc3.digitaloceanspaces.com");
		assertThat(config.region()).isEqualTo("nyc3");
	}

	@Test
	void aPortOnAPlainHostNamesTheUrlAndTheEndpointKey() {
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> configure(URI.create("s3://backups:9000/app"), null, Map.of()))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(PREFIX + ".url"))
			.withMessageContaining("endpoint");
	}

	@Test
	void missingBucketNamesTheKey() {
		assertThatExceptionOfType(LitestreamConfigurationException.class)
			.isThrownBy(() -> configure(null, "backups/app", Map.of("region", "eu-west-1")))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(PREFIX + ".bucket"))
			.withMessageContaining("needs a bucket");
	}

	@Test
	void skipVerifyIsWarnedAboutOncePerReplicaNamingItsBucketAndPath(CapturedOutput output) throws Exception {
		// Two replicas on one store and bucket share a connection, and a replica has two clients
		// (the restore's, the replication's): each replica is named once, with its path.
		S3ReplicaConfig https = skipVerify("https://store.test:9000", "tenants/a.db");
		S3ReplicaConfig httpsOther = skipVerify("https://store.test:9000", "tenants/b.db");
		S3ReplicaConfig http = skipVerify("http://localhost:9000", "plain/app");
		try {
			for (int i = 0; i < 2; i++) {
				for (S3ReplicaConfig config : List.of(https, httpsOther, http)) {
					this.provider
						.create(new ReplicaSettings(PREFIX, "s3", ReplicaOptions.defaults("s3"), config),
								ReplicaOperationListener.NONE)
						.close();
				}
			}
		}
		finally {
			this.provider.destroy();
		}
		List<String> warnings = output.getOut().lines().filter((line) -> line.contains("'skip-verify'")).toList();
		assertThat(warnings).hasSize(3);
		assertThat(warnings).filteredOn((line) -> line.contains("s3://bucket/tenants/a.db"))
			.singleElement(InstanceOfAssertFactories.STRING)
			.contains("TLS certificate of https://store.test:9000 is NOT verified");
		assertThat(warnings).filteredOn((line) -> line.contains("s3://bucket/tenants/b.db")).hasSize(1);
		assertThat(warnings).filteredOn((line) -> line.contains("s3://bucket/plain/app"))
			.singleElement(InstanceOfAssertFactories.STRING)
			.contains("does nothing")
			.contains("http://localhost:9000 is plain http")
			.doesNotContain("TLS");
	}

	private static S3ReplicaConfig skipVerify(String endpoint, String path) {
		return S3ReplicaConfig.builder()
			.bucket("bucket")
			.path(path)
			.region("us-east-1")
			.endpoint(endpoint)
			.skipVerify(true)
			.credentials("KEY", "secret")
			.build();
	}

	private S3ReplicaConfig configure(URI url, String path, Map<String, String> keys) {
		Map<String, String> source = new LinkedHashMap<>();
		keys.forEach((key, value) -> source.put(PREFIX + "." + key, value));
		Binder binder = new Binder(new MapConfigurationPropertySource(source));
		return this.provider.configure(new ReplicaEntry(PREFIX, "s3", url, path, binder));
	}

}
