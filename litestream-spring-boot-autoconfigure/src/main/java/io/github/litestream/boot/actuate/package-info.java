/**
 * Actuator support for Litestream: the {@code litestream} endpoint, the health indicator and
 * the metrics of replication.
 */
@NullMarked
package io.github.litestream.boot.actuate;

import org.jspecify.annotations.NullMarked;
