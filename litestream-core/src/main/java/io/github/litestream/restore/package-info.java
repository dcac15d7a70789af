/**
 * Restores: {@link io.github.litestream.restore.Restorer} is the single entry point (on boot,
 * validation, tools); it plans from listings, streams the snapshot, applies the WAL in order
 * and checks integrity before a new database is put in place. Also {@code ReplicaChooser},
 * {@code ReplicaValidator} and {@code RestoreOptions}.
 */
@NullMarked
package io.github.litestream.restore;

import org.jspecify.annotations.NullMarked;
