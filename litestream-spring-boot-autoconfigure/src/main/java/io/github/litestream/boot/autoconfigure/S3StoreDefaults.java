package io.github.litestream.boot.autoconfigure;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;
import org.springframework.util.function.SingletonSupplier;

/**
 * Where the S3 store is, for every S3 replica that does not name its own endpoint: from a
 * service connection ({@link LitestreamS3ConnectionDetails}, a MinIO container in a test), or
 * from the settings an application already gave Spring Cloud AWS, so they need not be
 * repeated under {@code litestream.*}.
 *
 * <p>Spring Cloud AWS's are read as it reads them for its own S3 client: the endpoint from
 * {@code spring.cloud.aws.s3.endpoint}, else {@code spring.cloud.aws.endpoint}; path-style
 * addressing from {@code spring.cloud.aws.s3.path-style-access-enabled}; the region from
 * {@code spring.cloud.aws.s3.region}, else from the application's {@link AwsRegionProvider}
 * (Spring Cloud AWS's bean, which serves {@code spring.cloud.aws.region.static}). The keys are
 * read by name, so the starter needs no Spring Cloud AWS artifact. Credentials are not here:
 * the application's {@code AwsCredentialsProvider} bean takes its place in the credentials
 * precedence of {@code S3ClientFactory}.
 */
final class S3StoreDefaults {

	/** For applications without Spring Cloud AWS or a service connection. */
	static final S3StoreDefaults NONE = new S3StoreDefaults(null, null, () -> null);

	private final @Nullable String endpoint;

	private final @Nullable Boolean pathStyle;

	private final Supplier<@Nullable String> region;

	private S3StoreDefaults(@Nullable String endpoint, @Nullable Boolean pathStyle,
			Supplier<@Nullable String> region) {
		this.endpoint = endpoint;
		this.pathStyle = pathStyle;
		this.region = region;
	}

	/**
	 * The store of a service connection, addressed path-style as MinIO and most
	 * S3-compatible stores need.
	 * @param connection the connection
	 * @return its settings
	 */
	static S3StoreDefaults serviceConnection(LitestreamS3ConnectionDetails connection) {
		String region = connection.region();
		return new S3StoreDefaults(connection.endpoint(), connection.forcePathStyle(), () -> region);
	}

	/**
	 * Reads Spring Cloud AWS's settings.
	 * @param environment the application's environment
	 * @param regionProvider the application's region provider, or {@code null}
	 * @return the settings; the region provider is asked only when a replica needs a region
	 */
	static S3StoreDefaults springCloudAws(Environment environment, @Nullable AwsRegionProvider regionProvider) {
		Binder binder = Binder.get(environment);
		String endpoint = binder.bind("spring.cloud.aws.s3.endpoint", String.class)
			.orElseGet(() -> binder.bind("spring.cloud.aws.endpoint", String.class).orElse(null));
		Boolean pathStyle = binder.bind("spring.cloud.aws.s3.path-style-access-enabled", Boolean.class).orElse(null);
		String s3Region = binder.bind("spring.cloud.aws.s3.region", String.class).orElse(null);
		// Memoised: the provider may ask the instance metadata service, once is enough.
		Supplier<@Nullable String> region = SingletonSupplier
			.of(() -> StringUtils.hasText(s3Region) ? s3Region : providedRegion(regionProvider));
		return new S3StoreDefaults(StringUtils.hasText(endpoint) ? endpoint : null, pathStyle, region);
	}

	/**
	 * The store's endpoint.
	 * @return the endpoint, or {@code null} for AWS itself
	 */
	@Nullable String endpoint() {
		return this.endpoint;
	}

	/**
	 * Whether buckets are addressed in the path.
	 * @return the setting, or {@code null} if not set
	 */
	@Nullable Boolean pathStyle() {
		return this.pathStyle;
	}

	/**
	 * The store's region.
	 * @return the region, or {@code null} if the application has none
	 */
	@Nullable String region() {
		return this.region.get();
	}

	private static @Nullable String providedRegion(@Nullable AwsRegionProvider regionProvider) {
		if (regionProvider == null) {
			return null;
		}
		try {
			return regionProvider.getRegion().id();
		}
		catch (SdkClientException ex) {
			// A default chain that found no region: the replica's own rules decide.
			return null;
		}
	}

}
