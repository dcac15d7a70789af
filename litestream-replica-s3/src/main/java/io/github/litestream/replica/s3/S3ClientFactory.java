package io.github.litestream.replica.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * Builds the {@link S3Client} for one replica configuration, applying Litestream's rules for
 * credentials and region, then the caller's customizers.
 *
 * <p>Credentials, first match wins: the replica's own keys; the fallback keys given to this
 * factory ({@code litestream.access-key-id}/{@code secret-access-key}); the environment
 * variables {@code LITESTREAM_ACCESS_KEY_ID}/{@code LITESTREAM_SECRET_ACCESS_KEY}; the
 * application's provider given to this factory (Spring Cloud AWS's: what the application
 * configured for all of its AWS clients comes before the machine's generic variables);
 * {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}; the SDK's default chain.
 *
 * <p>Region: the replica's; {@code us-east-1} when an endpoint is set; otherwise the bucket's
 * own region, discovered once (see {@link BucketRegionLocator}).
 *
 * <p>With an endpoint (MinIO, R2, B2, Ceph...), checksums are sent only where the S3 API
 * requires them, since several S3-compatible stores reject the SDK's default checksum trailers.
 *
 * <p>Every client uses the Apache 5 HTTP client, the SDK's standard retry strategy (exponential
 * backoff with jitter for throttling, 5xx, connection failures and timeouts) and bounded
 * timeouts, so a stuck store can never hang replication forever.
 */
public final class S3ClientFactory {

	static final Region ENDPOINT_DEFAULT_REGION = Region.US_EAST_1;

	private static final Logger logger = LoggerFactory.getLogger(S3ClientFactory.class);

	private static final int MAX_ATTEMPTS = 5;

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);

	private static final Duration API_CALL_ATTEMPT_TIMEOUT = Duration.ofMinutes(2);

	private static final Duration API_CALL_TIMEOUT = Duration.ofMinutes(5);

	private final String fallbackAccessKeyId;

	private final String fallbackSecretAccessKey;

	private final AwsCredentialsProvider defaultCredentials;

	/** Clients built without customizers; weakly held, as their callers own and close them. */
	private static final Set<S3Client> UNCUSTOMIZED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

	private final List<Consumer<S3ClientBuilder>> customizers;

	private final Function<String, String> environment;

	private S3ClientFactory(Builder builder) {
		this.fallbackAccessKeyId = blankToNull(builder.fallbackAccessKeyId);
		this.fallbackSecretAccessKey = blankToNull(builder.fallbackSecretAccessKey);
		this.defaultCredentials = builder.defaultCredentials;
		this.customizers = List.copyOf(builder.customizers);
		this.environment = builder.environment;
	}

	/**
	 * A factory with no fallback keys, the real environment, the SDK's default chain and no
	 * customizers.
	 * @return the factory
	 */
	public static S3ClientFactory withDefaults() {
		return builder().build();
	}

	/**
	 * Starts configuring a factory.
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Builds a client for a replica. The caller owns it and closes it.
	 * @param config the replica configuration
	 * @return a new client
	 */
	public S3Client create(S3ReplicaConfig config) {
		if (config.skipVerify()) {
			warnOfSkipVerify(config);
		}
		ResolvedCredentials credentials = resolveCredentials(config);
		return build(config, credentials, region(config, credentials));
	}

	/**
	 * A connection for a replica whose client is built at its first use (see
	 * {@link S3Connection}); until then, and where the direct requests work, a restore lists and
	 * reads without it. Credentials and region are resolved now. The caller owns the connection
	 * and closes it.
	 * @param config the replica configuration
	 * @return a new connection
	 */
	public S3Connection connect(S3ReplicaConfig config) {
		ResolvedCredentials credentials = resolveCredentials(config);
		Region region = region(config, credentials);
		// The application's customizers may set what a request around the SDK would miss.
		Optional<S3DirectAccess> direct = this.customizers.isEmpty()
				? S3DirectAccess.of(config, credentials.provider(), region, this.environment) : Optional.empty();
		return S3Connection.lazy(() -> build(config, credentials, region), direct);
	}

	private Region region(S3ReplicaConfig config, ResolvedCredentials credentials) {
		logger.debug("S3 replica {} uses credentials from {}", config.location(), credentials.source());
		return resolveRegion(config,
				() -> BucketRegionLocator.locate(config, credentials.provider(), httpClientBuilder(config)));
	}

	private S3Client build(S3ReplicaConfig config, ResolvedCredentials credentials, Region region) {
		S3ClientBuilder builder = S3Client.builder()
			.httpClientBuilder(httpClientBuilder(config))
			.credentialsProvider(credentials.provider())
			.region(region)
			.forcePathStyle(config.forcePathStyle())
			.overrideConfiguration(overrideConfiguration());
		if (config.endpoint() != null) {
			// Many S3-compatible stores reject the SDK's default CRC trailers (aws-chunked
			// uploads); send and check checksums only where the API requires them. And where it
			// does (DeleteObjects), older stores (MinIO before 2025, Ceph RGW) want Content-MD5,
			// which Litestream's Go SDK sends and this SDK no longer does by itself.
			builder.endpointOverride(URI.create(config.endpoint()))
				.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
				.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
				.addPlugin(LegacyMd5Plugin.create());
		}
		this.customizers.forEach((customizer) -> customizer.accept(builder));
		S3Client client = builder.build();
		if (this.customizers.isEmpty() && !S3DirectAccess.proxyConfigured(this.environment)) {
			UNCUSTOMIZED.add(client);
		}
		return client;
	}

	/**
	 * Whether a client was built here without customizers and without a proxy in the
	 * environment, so that its HTTP client, proxy and TLS settings are exactly
	 * {@link #httpClientBuilder(S3ReplicaConfig)}'s and a request sent around the SDK's pipeline
	 * goes out as the SDK's would ({@link S3DirectReader}).
	 * @param s3 a client
	 * @return {@code true} if this factory built it with no customizer and no proxy variable set
	 */
	static boolean isUncustomized(S3Client s3) {
		return UNCUSTOMIZED.contains(s3);
	}

	/**
	 * Applies the credentials precedence to a replica.
	 * @param config the replica configuration
	 * @return the provider to use and where it came from (never the secret itself)
	 */
	ResolvedCredentials resolveCredentials(S3ReplicaConfig config) {
		if (config.hasCredentials()) {
			return staticCredentials(config.accessKeyId(), config.secretAccessKey(), "the replica's access-key-id");
		}
		if (this.fallbackAccessKeyId != null && this.fallbackSecretAccessKey != null) {
			return staticCredentials(this.fallbackAccessKeyId, this.fallbackSecretAccessKey,
					"litestream.access-key-id");
		}
		ResolvedCredentials litestreamVariables = environmentCredentials("LITESTREAM");
		if (litestreamVariables != null) {
			return litestreamVariables;
		}
		if (this.defaultCredentials != null) {
			return new ResolvedCredentials(this.defaultCredentials, "the application's default AWS credentials");
		}
		ResolvedCredentials awsVariables = environmentCredentials("AWS");
		if (awsVariables != null) {
			return awsVariables;
		}
		return new ResolvedCredentials(DefaultCredentialsProvider.builder().build(),
				"the AWS SDK default credentials chain");
	}

	private ResolvedCredentials environmentCredentials(String prefix) {
		String id = blankToNull(this.environment.apply(prefix + "_ACCESS_KEY_ID"));
		String secret = blankToNull(this.environment.apply(prefix + "_SECRET_ACCESS_KEY"));
		return (id != null && secret != null)
				? staticCredentials(id, secret, "environment variable " + prefix + "_ACCESS_KEY_ID") : null;
	}

	/**
	 * Applies the region rules to a replica.
	 * @param config the replica configuration
	 * @param discovery finds the bucket's region when nothing else decides it
	 * @return the region
	 */
	static Region resolveRegion(S3ReplicaConfig config, Supplier<Region> discovery) {
		if (config.region() != null) {
			return Region.of(config.region());
		}
		if (config.endpoint() != null) {
			return ENDPOINT_DEFAULT_REGION;
		}
		Region discovered = discovery.get();
		logger.info("S3 replica {} has no 'region' set; using the bucket's region {}", config.location(), discovered);
		return discovered;
	}

	private static ResolvedCredentials staticCredentials(String id, String secret, String source) {
		return new ResolvedCredentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)), source);
	}

	/**
	 * The HTTP client every replica uses; the S3 client that builds it owns and closes it.
	 * @param config the replica configuration
	 * @return a builder of Apache 5 clients, trusting every certificate only with skip-verify
	 */
	static SdkHttpClient.Builder<?> httpClientBuilder(S3ReplicaConfig config) {
		Apache5HttpClient.Builder builder = Apache5HttpClient.builder()
			.connectionTimeout(CONNECT_TIMEOUT)
			.socketTimeout(SOCKET_TIMEOUT);
		if (!config.skipVerify()) {
			return builder;
		}
		return new TrustAllHttpClientBuilder(builder);
	}

	/**
	 * Warns that a replica's certificates are not verified, naming the replica by its bucket and
	 * path: a connection serves every replica of its bucket, so this is said per replica (by
	 * {@link S3Connection#replicaCreated}), not where the connection's HTTP client is built.
	 * An endpoint of plain http has no certificate, and the setting does nothing there.
	 * @param config the replica, with {@code skip-verify} set
	 */
	static void warnOfSkipVerify(S3ReplicaConfig config) {
		String endpoint = config.endpoint();
		if (endpoint != null && endpoint.regionMatches(true, 0, "http://", 0, "http://".length())) {
			logger.warn("S3 replica {} has 'skip-verify' set, which does nothing: its endpoint {} is plain http, "
					+ "with no certificate to verify. Remove it", config.location(), endpoint);
			return;
		}
		logger.warn("S3 replica {} has 'skip-verify' set: the TLS certificate of {} is NOT verified; use this only "
				+ "with a test store", config.location(), (endpoint != null) ? endpoint : "AWS S3");
	}

	private static ClientOverrideConfiguration overrideConfiguration() {
		return ClientOverrideConfiguration.builder()
			.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(MAX_ATTEMPTS).build())
			.apiCallAttemptTimeout(API_CALL_ATTEMPT_TIMEOUT)
			.apiCallTimeout(API_CALL_TIMEOUT)
			.build();
	}

	private static String blankToNull(String value) {
		return (value == null || value.isBlank()) ? null : value;
	}

	/**
	 * Credentials chosen for a replica.
	 *
	 * @param provider supplies them to the SDK
	 * @param source a description of where they came from, safe to log
	 */
	record ResolvedCredentials(AwsCredentialsProvider provider, String source) {
	}

	/**
	 * Builds HTTP clients that accept any certificate, for {@code skip-verify}.
	 */
	private static final class TrustAllHttpClientBuilder implements SdkHttpClient.Builder<TrustAllHttpClientBuilder> {

		private static final AttributeMap TRUST_ALL = AttributeMap.builder()
			.put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true)
			.build();

		private final SdkHttpClient.Builder<?> delegate;

		TrustAllHttpClientBuilder(SdkHttpClient.Builder<?> delegate) {
			this.delegate = delegate;
		}

		@Override
		public SdkHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
			return this.delegate.buildWithDefaults(TRUST_ALL.merge(serviceDefaults));
		}

	}

	/**
	 * Configures a {@link S3ClientFactory}.
	 */
	public static final class Builder {

		private String fallbackAccessKeyId;

		private String fallbackSecretAccessKey;

		private AwsCredentialsProvider defaultCredentials;

		private List<Consumer<S3ClientBuilder>> customizers = List.of();

		private Function<String, String> environment = System::getenv;

		private Builder() {
		}

		/**
		 * Sets the keys used by every replica without its own ({@code litestream.access-key-id}).
		 * @param accessKeyId the access key id, or {@code null}
		 * @param secretAccessKey the secret access key, or {@code null}
		 * @return this builder
		 */
		public Builder fallbackCredentials(String accessKeyId, String secretAccessKey) {
			this.fallbackAccessKeyId = accessKeyId;
			this.fallbackSecretAccessKey = secretAccessKey;
			return this;
		}

		/**
		 * Sets the application's provider, used when neither the replica, the fallback keys
		 * nor the {@code LITESTREAM_*} variables give keys, before the {@code AWS_*} variables.
		 * @param provider the provider, or {@code null} for none
		 * @return this builder
		 */
		public Builder defaultCredentials(AwsCredentialsProvider provider) {
			this.defaultCredentials = provider;
			return this;
		}

		/**
		 * Sets customizers applied, in order, after everything else.
		 * @param customizers the customizers
		 * @return this builder
		 */
		public Builder customizers(List<Consumer<S3ClientBuilder>> customizers) {
			this.customizers = Objects.requireNonNull(customizers, "customizers");
			return this;
		}

		/**
		 * Sets how environment variables are read (tests pass a map's {@code get}).
		 * @param environment looks a variable up by name, returning {@code null} if unset
		 * @return this builder
		 */
		public Builder environment(Function<String, String> environment) {
			this.environment = Objects.requireNonNull(environment, "environment");
			return this;
		}

		/**
		 * Builds the factory.
		 * @return the factory
		 */
		public S3ClientFactory build() {
			return new S3ClientFactory(this);
		}

	}

}
