/**
 * Synchronous replication for JDBC: connections whose commits return only once the commit is
 * stored in a replica ({@link io.github.litestream.jdbc.SynchronousReplicationDataSource}).
 */
@NullMarked
package io.github.litestream.jdbc;

import org.jspecify.annotations.NullMarked;
