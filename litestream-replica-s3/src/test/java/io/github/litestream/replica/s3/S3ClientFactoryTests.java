package io.github.litestream.replica.s3;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Litestream's precedence for credentials and region, with an injected environment so the
 * machine's own variables never decide the outcome.
 */
class S3ClientFactoryTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	private static final Map<String, String> FULL_ENVIRONMENT = Map.of("LITESTREAM_ACCESS_KEY_ID", "ls-env-id",
			"LITESTREAM_SECRET_ACCESS_KEY", "ls-env-secret", "AWS_ACCESS_KEY_ID", "aws-env-id",
			"AWS_SECRET_ACCESS_KEY", "aws-env-secret");

	private static final S3ReplicaConfig WITHOUT_KEYS = S3ReplicaConfig.builder().url("s3://bucket/db").build();

	@Test
	void replicaKeysWinOverEverythingElse() {
		S3ReplicaConfig config = S3ReplicaConfig.builder().url("s3://bucket/db").credentials("replica-id", "s").build();
		assertThat(credentials(factory(FULL_ENVIRONMENT).fallbackCredentials("global-id", "s"), config).accessKeyId())
			.isEqualTo("replica-id");
	}

	@Test
	void globalKeysComeNext() {
		assertThat(credentials(factory(FULL_ENVIRONMENT).fallbackCredentials("global-id", "s"), WITHOUT_KEYS)
			.accessKeyId()).isEqualTo("global-id");
	}

	@Test
	void litestreamEnvironmentVariablesComeBeforeAwsOnes() {
		AwsCredentials resolved = credentials(factory(FULL_ENVIRONMENT), WITHOUT_KEYS);
		assertThat(resolved.accessKeyId()).isEqualTo("ls-env-id");
		assertThat(resolved.secretAccessKey()).isEqualTo("ls-env-secret");
	}

	@Test
	void awsEnvironmentVariablesComeNext() {
		Map<String, String> environment = Map.of("AWS_ACCESS_KEY_ID", "aws-env-id", "AWS_SECRET_ACCESS_KEY",
				"aws-env-secret", "LITESTREAM_ACCESS_KEY_ID", "half-set");
		assertThat(credentials(factory(environment), WITHOUT_KEYS).accessKeyId()).isEqualTo("aws-env-id");
	}

	@Test
	void applicationProviderComesBeforeAwsVariablesAndAfterLitestreamOnes() {
		StaticCredentialsProvider springCloudAws = StaticCredentialsProvider
			.create(AwsBasicCredentials.create("app-id", "app-secret"));
		Map<String, String> awsOnly = Map.of("AWS_ACCESS_KEY_ID", "aws-env-id", "AWS_SECRET_ACCESS_KEY",
				"aws-env-secret");
		assertThat(factory(awsOnly).defaultCredentials(springCloudAws).build().resolveCredentials(WITHOUT_KEYS)
			.provider()).isSameAs(springCloudAws);
		assertThat(credentials(factory(FULL_ENVIRONMENT).defaultCredentials(springCloudAws), WITHOUT_KEYS)
			.accessKeyId()).isEqualTo("ls-env-id");
	}

	@Test
	void defaultProviderIsUsedWhenNoKeysAreSetAnywhere() {
		StaticCredentialsProvider springCloudAws = StaticCredentialsProvider
			.create(AwsBasicCredentials.create("chain-id", "chain-secret"));
		S3ClientFactory.ResolvedCredentials resolved = factory(Map.of()).defaultCredentials(springCloudAws)
			.build()
			.resolveCredentials(WITHOUT_KEYS);
		assertThat(resolved.provider()).isSameAs(springCloudAws);
		assertThat(resolved.source()).doesNotContain("chain-secret");
	}

	@Test
	void blankFallbackKeysAreIgnored() {
		assertThat(credentials(factory(FULL_ENVIRONMENT).fallbackCredentials("", ""), WITHOUT_KEYS).accessKeyId())
			.isEqualTo("ls-env-id");
	}

	@Test
	void configuredRegionWins() {
		S3ReplicaConfig config = S3ReplicaConfig.builder()
			.url("s3://bucket/db")
			.region("eu-west-3")
			.endpoint("http://localhost:9000")
			.build();
		assertThat(S3ClientFactory.resolveRegion(config, S3ClientFactoryTests::noDiscovery)).isEqualTo(Region.EU_WEST_3);
	}

	@Test
	void endpointWithoutRegionDefaultsToUsEast1() {
		S3ReplicaConfig config = S3ReplicaConfig.builder().url("s3://bucket/db").endpoint("http://localhost:9000").build();
		assertThat(S3ClientFactory.resolveRegion(config, S3ClientFactoryTests::noDiscovery)).isEqualTo(Region.US_EAST_1);
	}

	@Test
	void neitherRegionNorEndpointDiscoversTheBucketRegion() {
		AtomicInteger lookups = new AtomicInteger();
		Region region = S3ClientFactory.resolveRegion(WITHOUT_KEYS, () -> {
			lookups.incrementAndGet();
			return Region.AP_SOUTHEAST_2;
		});
		assertThat(region).isEqualTo(Region.AP_SOUTHEAST_2);
		assertThat(lookups).hasValue(1);
	}

	@Test
	void locatorReadsTheRegionTheStoreReports() {
		String bucket = server.createBucket();
		try (S3Client probe = S3ClientFactory.withDefaults().create(server.config(bucket, ""))) {
			assertThat(BucketRegionLocator.locate(probe, bucket)).hasValueSatisfying(
					(region) -> assertThat(Region.regions()).contains(Region.of(region)));
		}
	}

	@Test
	void locationConstraintsMapToRegions() {
		assertThat(BucketRegionLocator.fromLocationConstraint(null)).isEqualTo("us-east-1");
		assertThat(BucketRegionLocator.fromLocationConstraint("")).isEqualTo("us-east-1");
		assertThat(BucketRegionLocator.fromLocationConstraint("EU")).isEqualTo("eu-west-1");
		assertThat(BucketRegionLocator.fromLocationConstraint("ap-northeast-1")).isEqualTo("ap-northeast-1");
	}

	@Test
	void builtClientHasTheResolvedRegionAndCustomizersRunLast() {
		String bucket = server.createBucket();
		S3ReplicaConfig config = server.config(bucket, "db");
		List<String> seen = new java.util.ArrayList<>();
		Consumer<S3ClientBuilder> first = (builder) -> seen.add("first");
		Consumer<S3ClientBuilder> regionOverride = (builder) -> {
			seen.add("second");
			builder.region(Region.EU_NORTH_1);
		};
		try (S3Client plain = S3ClientFactory.withDefaults().create(config);
				S3Client customized = S3ClientFactory.builder()
					.customizers(List.of(first, regionOverride))
					.build()
					.create(config)) {
			assertThat(plain.serviceClientConfiguration().region()).isEqualTo(Region.US_EAST_1);
			assertThat(customized.serviceClientConfiguration().region()).isEqualTo(Region.EU_NORTH_1);
			assertThat(seen).containsExactly("first", "second");
			// the customized client still talks to the server: signing with another region is accepted
			assertThat(customized.listObjectsV2((request) -> request.bucket(bucket)).contents()).isEmpty();
		}
	}

	@Test
	void skipVerifyStillBuildsAWorkingClient() {
		String bucket = server.createBucket();
		S3ReplicaConfig config = server.configBuilder(bucket, "db")
			.credentials(S3ProxyServer.ACCESS_KEY_ID, S3ProxyServer.SECRET_ACCESS_KEY)
			.skipVerify(true)
			.build();
		try (S3Client client = S3ClientFactory.withDefaults().create(config)) {
			assertThat(client.listObjectsV2((request) -> request.bucket(bucket)).contents()).isEmpty();
		}
	}

	private static S3ClientFactory.Builder factory(Map<String, String> environment) {
		return S3ClientFactory.builder().environment(environment::get);
	}

	private static AwsCredentials credentials(S3ClientFactory.Builder factory, S3ReplicaConfig config) {
		return factory.build().resolveCredentials(config).provider().resolveCredentials();
	}

	private static Region noDiscovery() {
		throw new AssertionError("the region must not be discovered");
	}

}
