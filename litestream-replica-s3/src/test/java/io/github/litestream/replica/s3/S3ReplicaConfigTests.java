package io.github.litestream.replica.s3;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Replica URLs and settings as Litestream users write them.
 */
class S3ReplicaConfigTests {

	@Test
	void parsesBucketAndPathFromUrl() {
		assertThat(S3ReplicaConfig.parseUrl("s3://my-bucket/backups/app"))
			.isEqualTo(new S3ReplicaConfig.BucketAndPath("my-bucket", "backups/app"));
		assertThat(S3ReplicaConfig.parseUrl("s3://my-bucket/backups/app/"))
			.isEqualTo(new S3ReplicaConfig.BucketAndPath("my-bucket", "backups/app"));
		assertThat(S3ReplicaConfig.parseUrl("s3://my-bucket"))
			.isEqualTo(new S3ReplicaConfig.BucketAndPath("my-bucket", ""));
		assertThat(S3ReplicaConfig.parseUrl("S3://my.bucket/"))
			.isEqualTo(new S3ReplicaConfig.BucketAndPath("my.bucket", ""));
	}

	@Test
	void rejectsMalformedUrlsNamingTheUrlAndTheExpectedForm() {
		for (String url : new String[] { "s3:///path", "file:///tmp/x", "my-bucket/path", "s3://bucket/path?x=1",
				"s3://bucket:9000/path", "s3://bu cket/path" }) {
			assertThatIllegalArgumentException().as(url)
				.isThrownBy(() -> S3ReplicaConfig.parseUrl(url))
				.withMessageContaining(url)
				.withMessageContaining("s3://bucket/path");
		}
		assertThatIllegalArgumentException().isThrownBy(() -> S3ReplicaConfig.parseUrl(" "))
			.withMessageContaining("'url'");
	}

	@Test
	void credentialsInUrlAreRejectedWithoutEchoingThem() {
		assertThatIllegalArgumentException().isThrownBy(() -> S3ReplicaConfig.parseUrl("s3://key:topsecret@bucket/p"))
			.withMessageNotContaining("topsecret")
			.withMessageContaining("'access-key-id'");
	}

	@Test
	void builderCombinesUrlWithOtherSettings() {
		S3ReplicaConfig config = S3ReplicaConfig.builder()
			.url("s3://bucket/db")
			.region("eu-central-1")
			.credentials("AKIAEXAMPLE", "secret")
			.build();

		assertThat(config.bucket()).isEqualTo("bucket");
		assertThat(config.path()).isEqualTo("db");
		assertThat(config.region()).isEqualTo("eu-central-1");
		assertThat(config.location()).isEqualTo("s3://bucket/db");
		assertThat(config.hasCredentials()).isTrue();
	}

	@Test
	void pathLosesSurroundingSlashesAndLocationHasNoTrailingSlash() {
		S3ReplicaConfig config = S3ReplicaConfig.builder().bucket("bucket").path("/a/b/").build();
		assertThat(config.path()).isEqualTo("a/b");
		assertThat(S3ReplicaConfig.builder().bucket("bucket").build().location()).isEqualTo("s3://bucket");
	}

	@Test
	void forcePathStyleDefaultsToTrueExactlyWhenAnEndpointIsSet() {
		assertThat(S3ReplicaConfig.builder().bucket("b").build().forcePathStyle()).isFalse();
		assertThat(S3ReplicaConfig.builder().bucket("b").endpoint("http://localhost:9000").build().forcePathStyle())
			.isTrue();
		assertThat(S3ReplicaConfig.builder()
			.bucket("b")
			.endpoint("https://nyc3.digitaloceanspaces.com")
			.forcePathStyle(false)
			.build()
			.forcePathStyle()).isFalse();
	}

	@Test
	void endpointWithoutSchemeDefaultsToHttps() {
		assertThat(S3ReplicaConfig.builder().bucket("b").endpoint("minio.local:9000").build().endpoint())
			.isEqualTo("https://minio.local:9000");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> S3ReplicaConfig.builder().bucket("b").endpoint("ftp://host").build())
			.withMessageContaining("'endpoint'")
			.withMessageContaining("ftp://host");
	}

	@Test
	void missingBucketOrHalfTheCredentialsNameThePropertyToFix() {
		assertThatIllegalArgumentException().isThrownBy(() -> S3ReplicaConfig.builder().path("x").build())
			.withMessageContaining("'bucket'")
			.withMessageContaining("'url'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> S3ReplicaConfig.builder().bucket("b").credentials("id", null).build())
			.withMessageContaining("'secret-access-key'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> S3ReplicaConfig.builder().bucket("b").credentials(null, "s3cr3t").build())
			.withMessageContaining("'access-key-id'")
			.withMessageNotContaining("s3cr3t");
	}

	@Test
	void toStringNeverShowsTheKeys() {
		S3ReplicaConfig config = S3ReplicaConfig.builder()
			.url("s3://bucket/db")
			.credentials("AKIAEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG")
			.build();

		assertThat(config.toString()).contains("s3://bucket/db")
			.doesNotContain("wJalrXUtnFEMI/K7MDENG")
			.doesNotContain("AKIAEXAMPLEKEY");
	}

	@Test
	void equalSettingsAreEqualConfigurations() {
		assertThat(S3ReplicaConfig.builder().url("s3://b/p/").region("us-west-2").build())
			.isEqualTo(S3ReplicaConfig.builder().bucket("b").path("/p").region("us-west-2").build());
	}

}
