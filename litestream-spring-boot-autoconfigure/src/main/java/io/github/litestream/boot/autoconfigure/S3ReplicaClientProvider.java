package io.github.litestream.boot.autoconfigure;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3Connection;
import io.github.litestream.replica.s3.S3ReplicaClient;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import io.github.litestream.replica.s3.S3ReplicaConfig.UrlParts;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.s3.S3Client;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.util.StringUtils;

/**
 * Configures and creates {@code s3} replicas from {@code s3://bucket/path} (or a known
 * provider's host, as Litestream reads it: {@code s3://bucket.nyc3.digitaloceanspaces.com/path})
 * or {@code bucket}/{@code path}, and the keys of {@link S3ReplicaProperties}, which win over
 * what the url's host names. A replica's own
 * credentials win over {@code litestream.access-key-id}/{@code secret-access-key}. A replica
 * without its own {@code endpoint} takes the store of a service connection or of Spring Cloud
 * AWS: its endpoint, and its path-style and region where the replica sets none
 * ({@link S3StoreDefaults}); one with its own endpoint (or a provider's host) points at another
 * store and takes none of them. Replicas
 * with equal configurations share one {@link S3Connection} (the restore at boot and the
 * replication afterwards, for example), whose {@link S3Client} is built when first needed: a
 * restore at boot lists and reads without it where the store accepts direct requests. The
 * connections are closed when the application context closes.
 */
final class S3ReplicaClientProvider implements ReplicaClientProvider, DisposableBean {

	private static final Set<String> KEYS = Set.of("bucket", "region", "endpoint", "force-path-style", "skip-verify",
			"access-key-id", "secret-access-key");

	private final S3ClientFactory factory;

	private final @Nullable String accessKeyId;

	private final @Nullable String secretAccessKey;

	private final S3StoreDefaults store;

	private final Map<S3ReplicaConfig, S3Connection> connections = new ConcurrentHashMap<>();

	/**
	 * Creates a provider.
	 * @param factory creates the S3 clients
	 * @param accessKeyId {@code litestream.access-key-id}, the fallback of every replica
	 * @param secretAccessKey {@code litestream.secret-access-key}
	 */
	S3ReplicaClientProvider(S3ClientFactory factory, @Nullable String accessKeyId, @Nullable String secretAccessKey) {
		this(factory, accessKeyId, secretAccessKey, S3StoreDefaults.NONE);
	}

	/**
	 * Creates a provider whose replicas may find their store elsewhere (a service connection, Spring Cloud AWS).
	 * @param factory creates the S3 clients
	 * @param accessKeyId {@code litestream.access-key-id}, the fallback of every replica
	 * @param secretAccessKey {@code litestream.secret-access-key}
	 * @param store where replicas without an endpoint of their own find their store
	 */
	S3ReplicaClientProvider(S3ClientFactory factory, @Nullable String accessKeyId, @Nullable String secretAccessKey,
			S3StoreDefaults store) {
		this.factory = factory;
		this.accessKeyId = accessKeyId;
		this.secretAccessKey = secretAccessKey;
		this.store = store;
	}

	@Override
	public String type() {
		return "s3";
	}

	@Override
	public Set<String> keys() {
		return KEYS;
	}

	@Override
	public S3ReplicaConfig configure(ReplicaEntry entry) {
		S3ReplicaProperties properties = entry.bind(S3ReplicaProperties.class);
		String bucket = properties.getBucket();
		String path = entry.path();
		UrlParts url = parts(entry);
		if (url != null) {
			if (StringUtils.hasText(bucket)) {
				// As Litestream ("cannot specify url & bucket for s3 replica"): one would be dropped.
				throw new LitestreamConfigurationException(entry.property("bucket"),
						"both url and bucket are set, so the replica's bucket is ambiguous",
						"Remove either " + entry.property("url") + " or " + entry.property("bucket") + ".");
			}
			bucket = url.bucket();
			path = url.path();
		}
		if (!StringUtils.hasText(bucket)) {
			throw new LitestreamConfigurationException(entry.property("bucket"), "an s3 replica needs a bucket",
					"Set " + entry.property("url") + " to s3://bucket/path, or " + entry.property("bucket") + ".");
		}
		// Like Litestream, the replica's own keys win over what the url's host names.
		String endpoint = firstText(properties.getEndpoint(), (url != null) ? url.endpoint() : null);
		String region = firstText(properties.getRegion(), (url != null) ? url.region() : null);
		S3StoreDefaults defaults = (endpoint != null) ? S3StoreDefaults.NONE : this.store;
		String accessKeyId = firstText(properties.getAccessKeyId(), this.accessKeyId);
		String secretAccessKey = firstText(properties.getSecretAccessKey(), this.secretAccessKey);
		if ((accessKeyId == null) != (secretAccessKey == null)) {
			throw halfCredentials(entry, properties, accessKeyId != null);
		}
		try {
			return S3ReplicaConfig.builder()
				.bucket(bucket)
				.path(path)
				.region((region != null) ? region : defaults.region())
				.endpoint((endpoint != null) ? endpoint : defaults.endpoint())
				.forcePathStyle((properties.getForcePathStyle() != null) ? properties.getForcePathStyle()
						: defaults.pathStyle())
				.skipVerify(properties.isSkipVerify())
				.credentials(accessKeyId, secretAccessKey)
				.build();
		}
		catch (IllegalArgumentException ex) {
			throw new LitestreamConfigurationException(entry.property(), ex.getMessage(),
					"Fix the S3 settings under " + entry.property() + ".", ex);
		}
	}

	@Override
	public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
		S3ReplicaConfig config = settings.backend(S3ReplicaConfig.class);
		// One connection per store and bucket: the databases of a directory differ only in their path.
		S3Connection connection = this.connections.computeIfAbsent(config.atRoot(), this.factory::connect);
		return new S3ReplicaClient(connection, config, listener);
	}

	@Override
	public void destroy() {
		this.connections.values().forEach(S3Connection::close);
		this.connections.clear();
	}

	/**
	 * Names where the one key came from: often {@code litestream.*}, pasted from a
	 * {@code litestream.yml} whose other key is an unset {@code ${VAR}}, which the replica
	 * itself never set.
	 */
	private static LitestreamConfigurationException halfCredentials(ReplicaEntry entry, S3ReplicaProperties properties,
			boolean hasKeyId) {
		String set = hasKeyId ? "access-key-id" : "secret-access-key";
		String missing = hasKeyId ? "secret-access-key" : "access-key-id";
		boolean ownKey = StringUtils.hasText(hasKeyId ? properties.getAccessKeyId() : properties.getSecretAccessKey());
		String source = ownKey ? entry.property(set) : "litestream." + set;
		String target = ownKey ? entry.property(missing) : "litestream." + missing;
		return new LitestreamConfigurationException(target,
				source + " is set but " + target + " is not (nor " + (ownKey ? "litestream." + missing
						: entry.property(missing)) + "), so the replica has half its S3 credentials",
				"Set " + target + " (an empty value is often an unset environment variable), or remove " + source
						+ " to use the default AWS credentials.");
	}

	private static @Nullable UrlParts parts(ReplicaEntry entry) {
		URI url = entry.url();
		if (url == null) {
			return null;
		}
		try {
			return S3ReplicaConfig.parseUrl(url.toString());
		}
		catch (IllegalArgumentException ex) {
			throw new LitestreamConfigurationException(entry.property("url"), ex.getMessage(),
					"Write the url as s3://bucket/path, with a store's address in " + entry.property("endpoint") + ".",
					ex);
		}
	}

	private static @Nullable String firstText(@Nullable String first, @Nullable String second) {
		return StringUtils.hasText(first) ? first : (StringUtils.hasText(second) ? second : null);
	}

}
