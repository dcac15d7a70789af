package io.github.litestream.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;

/**
 * An S3-compatible store that S3 replicas connect to, as a service connection provides it
 * (a MinIO container annotated with {@code @ServiceConnection}). Its endpoint, region,
 * addressing and credentials replace {@code litestream.access-key-id} and the other defaults
 * for every S3 replica that does not name its own endpoint; a replica's own keys still win.
 */
public interface LitestreamS3ConnectionDetails extends ConnectionDetails {

	/**
	 * The store's endpoint.
	 * @return the endpoint, such as {@code http://localhost:32768}
	 */
	String endpoint();

	/**
	 * The access key id.
	 * @return the access key id
	 */
	String accessKeyId();

	/**
	 * The secret access key.
	 * @return the secret access key
	 */
	String secretAccessKey();

	/**
	 * The store's region.
	 * @return the region, or {@code null} for the default of a store with an endpoint
	 */
	default @Nullable String region() {
		return null;
	}

	/**
	 * Whether buckets are addressed in the path, as MinIO needs.
	 * @return {@code true} unless overridden
	 */
	default boolean forcePathStyle() {
		return true;
	}

}
