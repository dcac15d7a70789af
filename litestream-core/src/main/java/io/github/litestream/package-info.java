/**
 * The engine's entry point: {@link io.github.litestream.Litestream} ties databases to their
 * replicas and runs their threads and lifecycle (one monitor thread, one thread per replica,
 * {@link io.github.litestream.ReplicaTask}).
 */
@NullMarked
package io.github.litestream;

import org.jspecify.annotations.NullMarked;
