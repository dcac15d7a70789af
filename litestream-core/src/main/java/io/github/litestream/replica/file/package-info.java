/**
 * The {@code file} backend: {@link io.github.litestream.replica.file.FileReplicaClient}, a
 * replica in a local directory, written atomically through temporary files and rename.
 */
@NullMarked
package io.github.litestream.replica.file;

import org.jspecify.annotations.NullMarked;
