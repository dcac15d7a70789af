package io.github.litestream.boot.autoconfigure;

import java.time.Duration;

import io.github.litestream.ReplicaQuorum;

/**
 * How the commits of a database with {@code synchronous-replication=on} wait.
 *
 * @param quorum how many replicas must store a commit
 * @param timeout how long a commit waits at most
 */
record SynchronousCommits(ReplicaQuorum quorum, Duration timeout) {
}
