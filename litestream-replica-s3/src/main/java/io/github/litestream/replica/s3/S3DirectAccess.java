package io.github.litestream.replica.s3;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.S3Utilities;

/**
 * What a request sent around the SDK needs to go out as the SDK's would: the credentials and
 * region to sign it with, and where a bucket's objects are, by the SDK's own URL rules
 * (endpoint, path style, region).
 *
 * @param credentials the client's credentials
 * @param region the region requests are signed for
 * @param objectBase the URL a bucket's encoded keys are appended to, ending with a slash, or
 * {@code null} if the SDK's URLs do not have that shape
 */
record S3DirectAccess(IdentityProvider<? extends AwsCredentialsIdentity> credentials, Region region,
		Function<String, @Nullable String> objectBase) {

	private static final Logger logger = LoggerFactory.getLogger(S3DirectAccess.class);

	private static final String PROBE_KEY = "litestream-probe";

	/** Bucket names that need no encoding in a URL's path. */
	private static final Pattern PLAIN_BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]*");

	/**
	 * The access of a replica whose client {@link S3ClientFactory} builds later without
	 * customizers, unless a proxy is configured.
	 * @param config the replica
	 * @param credentials the credentials it resolved
	 * @param region the region it resolved
	 * @param environment looks environment variables up
	 * @return the access, or empty
	 */
	static Optional<S3DirectAccess> of(S3ReplicaConfig config,
			IdentityProvider<? extends AwsCredentialsIdentity> credentials, Region region,
			Function<String, String> environment) {
		if (proxyConfigured(environment)) {
			logger.debug("S3 replica {} sends every request through the SDK: a proxy is configured, which only the "
					+ "SDK's HTTP client applies", config.location());
			return Optional.empty();
		}
		return Optional.of(new S3DirectAccess(credentials, region, (bucket) -> {
			// With an endpoint and path style, the SDK's rules put the bucket after the
			// endpoint; building its URL rules for that costs a fresh JVM 0.2 s of CPU.
			if (config.endpoint() != null && config.forcePathStyle() && PLAIN_BUCKET.matcher(bucket).matches()
					&& URI.create(config.endpoint()).getRawQuery() == null) {
				return config.endpoint().replaceFirst("/+$", "") + "/" + bucket + "/";
			}
			return objectBase(utilities(config, region), bucket);
		}));
	}

	/**
	 * The access of a built client, unless the client has interceptors of its own, was not built
	 * by {@link S3ClientFactory} without customizers, or lacks what a signature needs.
	 * @param s3 the client
	 * @return the access, or empty
	 */
	static Optional<S3DirectAccess> of(S3Client s3) {
		try {
			S3ServiceClientConfiguration clientConfig = s3.serviceClientConfiguration();
			// The factory checked its environment's proxy variables when it built the client.
			if (!S3ClientFactory.isUncustomized(s3) || hasOwnInterceptors(clientConfig)
					|| proxyConfigured((name) -> null)
					|| clientConfig.credentialsProvider() == null || clientConfig.region() == null) {
				return Optional.empty();
			}
			return Optional.of(new S3DirectAccess(clientConfig.credentialsProvider(), clientConfig.region(),
					(bucket) -> objectBase(s3.utilities(), bucket)));
		}
		catch (RuntimeException ex) {
			// A client that does not tell its configuration (a test double, a wrapper).
			logger.debug("An S3 client that does not tell its configuration is used through the SDK only: {}",
					ex.toString());
			return Optional.empty();
		}
	}

	/**
	 * Where the SDK's rules put a bucket's objects: the URL of a probe key without the key, if
	 * it ends with the key.
	 */
	private static @Nullable String objectBase(S3Utilities utilities, String bucket) {
		String probe = utilities.getUrl((request) -> request.bucket(bucket).key(PROBE_KEY)).toExternalForm();
		if (!probe.endsWith("/" + PROBE_KEY)) {
			logger.debug("Objects of bucket {} are read through the SDK only: their URLs look like {}", bucket, probe);
			return null;
		}
		return probe.substring(0, probe.length() - PROBE_KEY.length());
	}

	/** The SDK's URL rules for a replica, as {@link S3ClientFactory} configures its clients. */
	private static S3Utilities utilities(S3ReplicaConfig config, Region region) {
		S3Utilities.Builder utilities = S3Utilities.builder()
			.region(region)
			.s3Configuration(S3Configuration.builder().pathStyleAccessEnabled(config.forcePathStyle()).build());
		if (config.endpoint() != null) {
			utilities.endpoint(URI.create(config.endpoint()));
		}
		return utilities.build();
	}

	/**
	 * Whether the JVM or the environment sets a proxy, which the SDK's HTTP client applies and a
	 * direct request would not.
	 * @param environment looks environment variables up
	 * @return {@code true} if any proxy setting is present
	 */
	static boolean proxyConfigured(Function<String, String> environment) {
		return Stream.of("http.proxyHost", "https.proxyHost", "socksProxyHost")
			.anyMatch((name) -> System.getProperty(name) != null)
				|| Stream.of("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
					.anyMatch((name) -> isSet(environment.apply(name))
							|| isSet(environment.apply(name.toLowerCase(Locale.ROOT))));
	}

	private static boolean isSet(String value) {
		return value != null && !value.isBlank();
	}

	/** Interceptors besides the SDK's own (which the configuration lists too). */
	private static boolean hasOwnInterceptors(S3ServiceClientConfiguration clientConfig) {
		return clientConfig.overrideConfiguration()
			.executionInterceptors()
			.stream()
			.anyMatch((interceptor) -> !interceptor.getClass().getName().startsWith("software.amazon.awssdk."));
	}

}
