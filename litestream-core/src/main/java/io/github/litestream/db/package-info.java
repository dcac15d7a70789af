/**
 * One replicated database: {@link io.github.litestream.db.ReplicatedDatabase} captures the
 * WAL into the shadow WAL and checkpoints, with the local state (the {@code .<db>-litestream}
 * directory), the engine's connections and {@code DatabaseOptions}.
 */
@NullMarked
package io.github.litestream.db;

import org.jspecify.annotations.NullMarked;
