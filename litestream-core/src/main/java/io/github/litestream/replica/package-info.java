/**
 * Replicas: the {@link io.github.litestream.replica.ReplicaClient} SPI that every backend
 * implements, {@link io.github.litestream.replica.Replica} (sync, snapshot, retention), the
 * key layout, LZ4, {@code ReplicaOptions}, listeners and status.
 */
@NullMarked
package io.github.litestream.replica;

import org.jspecify.annotations.NullMarked;
