package io.github.litestream.boot.autoconfigure;

import java.time.Duration;

import io.github.litestream.ReplicaQuorum;

/**
 * How the commits of a database wait for replication.
 *
 * @param everyCommit whether every commit through its DataSource waits
 * ({@code synchronous-replication=on}); otherwise only {@code @AwaitReplication} methods do
 * @param quorum how many replicas must store a commit
 * @param timeout how long a commit waits at most
 */
record SynchronousCommits(boolean everyCommit, ReplicaQuorum quorum, Duration timeout) {
}
