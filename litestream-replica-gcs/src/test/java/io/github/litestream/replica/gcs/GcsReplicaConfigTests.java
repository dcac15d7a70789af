package io.github.litestream.replica.gcs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Litestream v0.3.14's {@code gcs} settings: {@code gcs://bucket/path}, or bucket and path.
 */
class GcsReplicaConfigTests {

	@Test
	void parsesBucketAndPathFromTheUrl() {
		GcsReplicaConfig config = GcsReplicaConfig.fromUrl("gcs://my-bucket/backups/app/");

		assertThat(config.bucket()).isEqualTo("my-bucket");
		assertThat(config.path()).isEqualTo("backups/app");
		assertThat(config.location()).isEqualTo("gcs://my-bucket/backups/app");
	}

	@Test
	void bucketAloneIsTheRoot() {
		assertThat(GcsReplicaConfig.fromUrl("gcs://b").location()).isEqualTo("gcs://b");
		assertThat(GcsReplicaConfig.of("b", "/").path()).isEmpty();
	}

	@Test
	void missingBucketNamesBucketAndUrl() {
		assertThatIllegalArgumentException().isThrownBy(() -> GcsReplicaConfig.of(" ", "p"))
			.withMessageContaining("'bucket'")
			.withMessageContaining("gcs://bucket/path");
	}

	@Test
	void malformedUrlsSayWhatIsExpected() {
		assertThatIllegalArgumentException().isThrownBy(() -> GcsReplicaConfig.fromUrl("s3://b/p"))
			.withMessageContaining("scheme must be 'gcs'");
		assertThatIllegalArgumentException().isThrownBy(() -> GcsReplicaConfig.fromUrl("gcs:///p"))
			.withMessageContaining("names no bucket");
		assertThatIllegalArgumentException().isThrownBy(() -> GcsReplicaConfig.fromUrl("gcs://b:99/p"))
			.withMessageContaining("ports");
	}

	@Test
	void equalConfigurationsAreEqual() {
		assertThat(GcsReplicaConfig.of("b", "p")).isEqualTo(GcsReplicaConfig.fromUrl("gcs://b/p"))
			.hasSameHashCodeAs(GcsReplicaConfig.fromUrl("gcs://b/p/"));
	}

	@Test
	void credentialsInAUrlAreNeverEchoed() {
		for (String url : new String[] { "gcs://user:topsecret@bucket/app", "gcs://user:top/secret@bucket/app" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> GcsReplicaConfig.fromUrl(url))
				.withMessageNotContaining("topsecret")
				.withMessageNotContaining("top/secret");
		}
	}

}
