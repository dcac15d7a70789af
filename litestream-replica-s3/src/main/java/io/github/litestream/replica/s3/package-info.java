/**
 * The {@code s3} backend: {@link io.github.litestream.replica.s3.S3ReplicaClient} for S3 and
 * S3-compatible services, and its client factory (credentials, region, retries).
 */
@NullMarked
package io.github.litestream.replica.s3;

import org.jspecify.annotations.NullMarked;
