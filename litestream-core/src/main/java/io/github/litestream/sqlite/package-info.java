/**
 * SQLite's file formats, read without SQLite: the WAL header and frames, the WAL checksum,
 * the page size and the database header, and {@link io.github.litestream.sqlite.WalScanner};
 * and {@link io.github.litestream.sqlite.PromptBusyHandler}, how connections wait for SQLite's
 * locks. Depends on nothing else in the engine.
 */
@NullMarked
package io.github.litestream.sqlite;

import org.jspecify.annotations.NullMarked;
