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
			.isEqualTo(new S3ReplicaConfig.UrlParts("my-bucket", "backups/app", null, null));
		assertThat(S3ReplicaConfig.parseUrl("s3://my-bucket/backups/app/"))
			.isEqualTo(new S3ReplicaConfig.UrlParts("my-bucket", "backups/app", null, null));
		assertThat(S3ReplicaConfig.parseUrl("s3://my-bucket"))
			.isEqualTo(new S3ReplicaConfig.UrlParts("my-bucket", "", null, null));
		assertThat(S3ReplicaConfig.parseUrl("S3://my.bucket/"))
			.isEqualTo(new S3ReplicaConfig.UrlParts("my.bucket", "", null, null));
	}

	@Test
	void providerHostsNameBucketRegionAndEndpointAsLitestreamReadsThem() {
		assertThat(S3ReplicaConfig.parseUrl("s3://backups.nyc3.digitaloceanspaces.com/app")).isEqualTo(
				new S3ReplicaConfig.UrlParts("backups", "app", "nyc3", "https://nyc3.digitaloceanspaces.com"));
		assertThat(S3ReplicaConfig.parseUrl("s3://backups.s3.us-west-002.backblazeb2.com/app")).isEqualTo(
				new S3ReplicaConfig.UrlParts("backups", "app", "us-west-002", "https://s3.us-west-002.backblazeb2.com"));
		assertThat(S3ReplicaConfig.parseUrl("s3://backups.s3.filebase.com/app"))
			.isEqualTo(new S3ReplicaConfig.UrlParts("backups", "app", null, "https://s3.filebase.com"));
		assertThat(S3ReplicaConfig.parseUrl("s3://backups.s3.fr-par.scw.cloud"))
			.isEqualTo(new S3ReplicaConfig.UrlParts("backups", "", "fr-par", "https://s3.fr-par.scw.cloud"));
		assertThat(S3ReplicaConfig.parseUrl("s3://my.backups.us-east-1.linodeobjects.com/a/b")).isEqualTo(
				new S3ReplicaConfig.UrlParts("my.backups", "a/b", "us-east-1", "https://us-east-1.linodeobjects.com"));
		assertThat(S3ReplicaConfig.parseUrl("s3://backups.localhost:9000/app"))
			.isEqualTo(new S3ReplicaConfig.UrlParts("backups", "app", "us-east-1", "http://localhost:9000"));
		assertThat(S3ReplicaConfig.parseUrl("s3://nyc3.digitaloceanspaces.com/app"))
			.isEqualTo(new S3ReplicaConfig.UrlParts(null, "app", "nyc3", "https://nyc3.digitaloceanspaces.com"));
	}

	@Test
	void builderTakesAProviderHostsEndpointPathStyleAndLetsSettingsWin() {
		S3ReplicaConfig fromHost = S3ReplicaConfig.builder().url("s3://backups.nyc3.digitaloceanspaces.com/app").build();
		assertThat(fromHost.location()).isEqualTo("s3://backups/app");
		assertThat(fromHost.endpoint()).isEqualTo("https://nyc3.digitaloceanspaces.com");
		assertThat(fromHost.region()).isEqualTo("nyc3");
		assertThat(fromHost.forcePathStyle()).isTrue();
		S3ReplicaConfig overridden = S3ReplicaConfig.builder()
			.url("s3://backups.nyc3.digitaloceanspaces.com/app")
			.region("sfo3")
			.endpoint("https://sfo3.digitaloceanspaces.com")
			.build();
		assertThat(overridden.region()).isEqualTo("sfo3");
		assertThat(overridden.endpoint()).isEqualTo("https://sfo3.digitaloceanspaces.com");
	}

	@Test
	void aPortOnAPlainHostIsRefusedNamingTheEndpointSetting() {
		assertThatIllegalArgumentException().isThrownBy(() -> S3ReplicaConfig.parseUrl("s3://bucket:9000/path"))
			.withMessageContaining("s3://bucket:9000/path")
			.withMessageContaining("'endpoint'");
	}

	@Test
	void rejectsMalformedUrlsNamingTheUrlAndTheExpectedForm() {
		for (String url : new String[] { "s3:///path", "file:///tmp/x", "my-bucket/path", "s3://bucket/path?x=1",
				"s3://bu cket/path" }) {
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
	void aSecretThatBreaksTheUrlIsNotEchoedEither() {
		// A '/' ends the authority, so the URL parses with no user info and no host at all.
		for (String url : new String[] { "s3://AKIAEXAMPLE:wJal/rXUt+EXAMPLE@bucket/app",
				"s3://AKIAEXAMPLE:wJal#rXUt@bucket/app", "s3://AKIAEXAMPLE:wJal%zz@bucket/app" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> S3ReplicaConfig.parseUrl(url))
				.withMessageNotContaining("wJal")
				.withMessageNotContaining("rXUt");
		}
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
