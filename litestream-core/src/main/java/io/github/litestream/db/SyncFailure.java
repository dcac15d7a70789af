package io.github.litestream.db;

import java.time.Instant;

/**
 * Since when a database's monitor steps fail: its new commits are not copied into the shadow
 * WAL, so no replica can receive them, while every replica may still look caught up with what
 * was copied before.
 *
 * @param since when the first failing step of the current run of failures ended
 * @param error the last step's error
 */
public record SyncFailure(Instant since, String error) {
}
