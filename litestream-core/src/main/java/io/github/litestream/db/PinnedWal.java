package io.github.litestream.db;

import java.time.Instant;

import io.github.litestream.replica.Pos;

/**
 * Checkpoints could not restart a WAL index because a read transaction pins it (see
 * {@link ReplicatedDatabase#pinnedWal()}).
 *
 * @param position the shadow WAL's end at the last checkpoint that tried
 * @param since when the first checkpoint of this index could not restart it
 * @param walFrames the frames of this index at the last checkpoint that tried
 */
public record PinnedWal(Pos position, Instant since, long walFrames) {
}
