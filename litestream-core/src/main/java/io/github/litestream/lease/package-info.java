/**
 * One writer per replica: a lease kept in the replica itself ({@code lease.json} beside
 * {@code generations/}), taken and renewed with the store's conditional writes, and the fence
 * that keeps an instance from writing to a replica whose lease it may have lost. Depends only
 * on the replica format's SPI.
 */
@NullMarked
package io.github.litestream.lease;

import org.jspecify.annotations.NullMarked;
