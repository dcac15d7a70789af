/**
 * One replicated database. {@link io.github.litestream.db.ReplicatedDatabase} is the façade:
 * the {@code GenerationTracker} proves or breaks continuity and copies committed WAL into the
 * shadow WAL, the {@code CheckpointPolicy} decides and the {@code Checkpointer} runs
 * checkpoints, {@code CleanShutdown} records a clean close; replicas read through
 * {@link io.github.litestream.db.ReplicationSource}. Also the local state (the
 * {@code .<db>-litestream} directory), the engine's connections and {@code DatabaseOptions};
 * positions ({@code Pos}) belong to the replica format, in package {@code replica}.
 */
@NullMarked
package io.github.litestream.db;

import org.jspecify.annotations.NullMarked;
