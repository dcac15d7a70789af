package io.github.litestream.replica;

import java.time.Instant;

/**
 * A snapshot stored in a replica.
 *
 * @param generation the generation
 * @param index the WAL index the snapshot starts
 * @param size compressed size in bytes
 * @param createdAt when the replica stored it (object time)
 */
public record SnapshotInfo(String generation, long index, long size, Instant createdAt) {
}
