/**
 * Service connections from Testcontainers: a MinIO container annotated with
 * {@code @ServiceConnection} becomes the store of the application's S3 replicas.
 */
@NullMarked
package io.github.litestream.boot.testcontainers;

import org.jspecify.annotations.NullMarked;
