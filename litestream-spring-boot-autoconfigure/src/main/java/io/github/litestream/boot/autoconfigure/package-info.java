/**
 * Spring Boot auto-configuration for Litestream replication: {@code litestream.*}
 * properties, restore-on-boot and pragmas for the application's SQLite DataSources, and the
 * replication lifecycle.
 *
 * <p>Decisions worth knowing:
 * <ul>
 * <li>Only databases listed under {@code litestream.dbs} are replicated. A SQLite DataSource
 * that matches no entry is left untouched (its pragmas too: turning off automatic
 * checkpoints on a database nobody checkpoints would let its WAL grow without bound). With
 * exactly one SQLite DataSource, {@code dbs[0].path} may be omitted.</li>
 * <li>Restore happens inside the DataSource bean's post-processing, so nothing (Flyway,
 * Liquibase, {@code spring.sql.init}, JPA, the application) can open the database first.
 * The restores are an explicit step ({@link LitestreamRestoreInitializer}, as Flyway's
 * migration initializer), which runs for every entry with an explicit path before the first
 * SQLite DataSource is let through, and before replication starts. An existing file is never
 * replaced.</li>
 * <li>Restore-on-boot reads the replica whose newest backup is the most recent (equally recent
 * ones in configuration order); a replica that can't be read fails startup
 * rather than silently falling back to an older replica or an empty database.</li>
 * </ul>
 */
@NullMarked
package io.github.litestream.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
