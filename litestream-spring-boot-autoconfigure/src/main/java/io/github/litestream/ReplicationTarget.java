package io.github.litestream;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;

/**
 * STAND-IN for the lead's planned type; replace on merge.
 *
 * @param client the client
 * @param options the options
 */
public record ReplicationTarget(ReplicaClient client, ReplicaOptions options) {
}
