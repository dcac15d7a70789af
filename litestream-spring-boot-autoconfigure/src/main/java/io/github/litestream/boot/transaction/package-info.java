/**
 * Per-method synchronous replication: {@link io.github.litestream.boot.transaction.AwaitReplication}.
 */
@NullMarked
package io.github.litestream.boot.transaction;

import org.jspecify.annotations.NullMarked;
