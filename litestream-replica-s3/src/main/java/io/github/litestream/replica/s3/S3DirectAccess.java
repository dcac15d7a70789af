package io.github.litestream.replica.s3;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

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
 * region to sign it with, and the SDK's own URL rules (endpoint, path style, region).
 *
 * @param credentials the client's credentials
 * @param region the region requests are signed for
 * @param utilities the SDK's URL rules, made when first needed
 */
record S3DirectAccess(IdentityProvider<? extends AwsCredentialsIdentity> credentials, Region region,
		Supplier<S3Utilities> utilities) {

	private static final Logger logger = LoggerFactory.getLogger(S3DirectAccess.class);

	/**
	 * The access of a replica whose client {@link S3ClientFactory} builds later without
	 * customizers, unless a proxy is configured.
	 * @param config the replica
	 * @param credentials the credentials it resolved
	 * @param region the region it resolved
	 * @param environment looks environment variables up
	 * @return the access, or empty
	 */
	static Optional<S3DirectAccess> of(S3ReplicaConfig config, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
			Region region, Function<String, String> environment) {
		if (proxyConfigured(environment)) {
			logger.debug("S3 replica {} sends every request through the SDK: a proxy is configured, which only the "
					+ "SDK's HTTP client applies", config.location());
			return Optional.empty();
		}
		return Optional.of(new S3DirectAccess(credentials, region, () -> utilities(config, region)));
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
			if (!S3ClientFactory.isUncustomized(s3) || hasOwnInterceptors(clientConfig) || proxyConfigured(System::getenv)
					|| clientConfig.credentialsProvider() == null || clientConfig.region() == null) {
				return Optional.empty();
			}
			return Optional.of(new S3DirectAccess(clientConfig.credentialsProvider(), clientConfig.region(),
					s3::utilities));
		}
		catch (RuntimeException ex) {
			// A client that does not tell its configuration (a test double, a wrapper).
			logger.debug("An S3 client that does not tell its configuration is used through the SDK only: {}",
					ex.toString());
			return Optional.empty();
		}
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
