package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;

import javax.sql.DataSource;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.DirectoryReplication;
import org.sqlite.SQLiteConfig;

/**
 * Tenants' databases on demand, for an application with one SQLite database per tenant in a
 * directory that a {@code litestream.dbs[n].dir} entry replicates, typically behind an
 * {@code AbstractRoutingDataSource} that creates a tenant's DataSource on its first request.
 *
 * <p>{@link #dataSource(Path)} readies a tenant's database before anything opens it: restored
 * from the directory's replicas when the file is missing and a replica holds it, replicated at
 * once (not at the next scan), and connected with the pragmas replication needs.
 * {@link #delete(Path, Backups)} removes a tenant: replication stops, its files go, and its
 * backups go only when asked.
 */
public final class LitestreamTenants {

	private final LitestreamLifecycle lifecycle;

	private final LitestreamProperties properties;

	LitestreamTenants(LitestreamLifecycle lifecycle, LitestreamProperties properties) {
		this.lifecycle = lifecycle;
		this.properties = properties;
	}

	/**
	 * A DataSource for a tenant's database, ready and replicated: wrap it in a pool if the
	 * tenant is busy.
	 * @param file the tenant's database file, in a replicated directory
	 * @return a DataSource whose connections use the pragmas replication needs
	 * @throws IOException if a replica cannot be read or the restore fails
	 * @throws LitestreamConfigurationException if no {@code dir} entry holds the file
	 */
	public DataSource dataSource(Path file) throws IOException {
		Path canonical = SqliteJdbcUrl.canonical(file);
		directoryOf(canonical).add(canonical);
		return SqlitePragmas.of(this.properties).dataSource("jdbc:sqlite:" + canonical, new SQLiteConfig(), false);
	}

	/**
	 * Deletes a tenant's database: replication stops (its last commits are shipped first when
	 * its backups are kept), its files are deleted, and with {@link Backups#DELETE} so is
	 * everything its replicas hold. Close the tenant's DataSource (its pool) first.
	 * @param file the tenant's database file
	 * @param backups whether its replicas keep their backups
	 * @throws IOException if its files or backups cannot be deleted
	 */
	public void delete(Path file, Backups backups) throws IOException {
		Path canonical = SqliteJdbcUrl.canonical(file);
		directoryOf(canonical).delete(canonical, this.properties.getShutdownTimeout(), backups);
	}

	private DirectoryReplication directoryOf(Path file) {
		return this.lifecycle.directoryOf(file)
			.orElseThrow(() -> new LitestreamConfigurationException("litestream.dbs[n].dir",
					"no replicated directory holds " + file + " (or replication has not started)",
					"Add a litestream.dbs entry whose dir is the tenants' directory and whose pattern matches "
							+ file.getFileName() + "."));
	}

}
