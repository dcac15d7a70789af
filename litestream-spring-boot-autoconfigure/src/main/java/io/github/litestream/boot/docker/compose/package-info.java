/**
 * Service connections from Spring Boot's Docker Compose support: a {@code minio} service of
 * the application's {@code compose.yaml} becomes the store of its S3 replicas.
 */
@NullMarked
package io.github.litestream.boot.docker.compose;

import org.jspecify.annotations.NullMarked;
