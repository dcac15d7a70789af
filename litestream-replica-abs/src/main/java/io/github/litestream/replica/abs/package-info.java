/**
 * The Azure Blob Storage replica ({@code abs}): Litestream's key layout under a path in one
 * container, written with Azure's {@code azure-storage-blob} SDK over the JDK's own HTTP
 * client. No Spring.
 */
@NullMarked
package io.github.litestream.replica.abs;

import org.jspecify.annotations.NullMarked;
