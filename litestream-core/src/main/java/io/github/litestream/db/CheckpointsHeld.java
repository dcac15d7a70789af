package io.github.litestream.db;

import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot that reads the database file for its upload has kept due checkpoints from running
 * longer than the database's {@code checkpoint-interval}: the WAL grows until the upload ends
 * (see {@link ReplicatedDatabase#checkpointsHeld()}).
 *
 * @param since when the first checkpoint it held back was due
 * @param threshold how long checkpoints may be held back before this is reported (the
 * database's {@code checkpoint-interval})
 */
public record CheckpointsHeld(Instant since, Duration threshold) {
}
