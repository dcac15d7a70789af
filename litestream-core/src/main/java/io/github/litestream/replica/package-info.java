/**
 * Replicas: the {@link io.github.litestream.replica.ReplicaClient} SPI that every backend
 * implements with the replica format it speaks (positions, {@code Pos}; the key layout; LZ4),
 * and {@link io.github.litestream.replica.Replica} (sync, snapshot, retention), the one class
 * here that reads a {@code db.ReplicatedDatabase}, with {@code ReplicaOptions}, listeners and
 * status.
 */
@NullMarked
package io.github.litestream.replica;

import org.jspecify.annotations.NullMarked;
