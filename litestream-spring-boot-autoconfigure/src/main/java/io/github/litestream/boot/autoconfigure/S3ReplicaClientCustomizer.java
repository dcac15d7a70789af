package io.github.litestream.boot.autoconfigure;

import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Customizes the {@link S3ClientBuilder} of every S3 replica, after Litestream applied
 * credentials, region and endpoint. Register one as a bean to, for example, add an execution
 * interceptor or change timeouts; customizers run in {@code @Order}.
 */
@FunctionalInterface
public interface S3ReplicaClientCustomizer {

	/**
	 * Customizes a builder.
	 * @param builder the builder of one replica's client
	 */
	void customize(S3ClientBuilder builder);

}
