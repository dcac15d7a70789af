package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.github.litestream.FileCheck;
import io.github.litestream.lease.LeaseFencedException;
import io.github.litestream.lease.LeaseHolder;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;

/**
 * Restore-on-boot as an explicit step, as Spring Boot's {@code FlywayMigrationInitializer}
 * migrates in {@link #afterPropertiesSet()}: restores every configured database whose file is
 * missing (see {@link DatabaseRestorer}; an existing file is never touched, unless another
 * instance's replication left it behind: then it is moved aside and restored).
 *
 * <p>Two moments make sure nothing opens a database before its restore:
 * {@link SqliteDataSourceBeanPostProcessor} obtains this bean before it lets the first SQLite
 * DataSource through (so every entry with a path is restored before any DataSource exists) and
 * then calls {@link #restore(DatabaseSettings)} for the DataSource's own entry, which covers
 * the entry whose path comes from that DataSource; and {@link LitestreamLifecycle}'s bean
 * depends on this one, so replication never starts before the restores, even with lazy
 * initialization. With lazy initialization, {@link LitestreamDatabases} creates the
 * DataSources that the entry without a path waits for before replication starts, so that
 * entry's restore still happens inside its DataSource's creation.
 *
 * <p>A leased database is restored under its leases (see {@link RestoreLeases}), which
 * {@link LitestreamLifecycle} hands to the engine at its start; a startup that fails before
 * then gives them back when the context closes.
 */
public final class LitestreamRestoreInitializer implements InitializingBean, DisposableBean {

	private final LitestreamDatabases databases;

	private final ReplicaClientFactory clients;

	private final DatabaseRestorer restorer;

	private final DirectoryRestorer directoryRestorer;

	private final RestoreLeases leases;

	LitestreamRestoreInitializer(LitestreamDatabases databases, ReplicaClientFactory clients,
			Supplier<LeaseHolder> leaseHolder) {
		this.databases = databases;
		this.clients = clients;
		this.restorer = new DatabaseRestorer(clients);
		this.directoryRestorer = new DirectoryRestorer(clients, this.restorer);
		this.leases = new RestoreLeases(clients, leaseHolder);
	}

	/**
	 * Restores every configured database whose path is known and whose file is missing, and
	 * every database of a {@code dir} entry that its replicas hold and the disk lacks.
	 * @throws LitestreamRestoreException if a replica can't be read or holds a damaged backup
	 * @throws LitestreamConfigurationException if no replica holds a backup and
	 * {@code restore.if-replica-exists} is false, or if two entries share a replica location
	 */
	@Override
	public void afterPropertiesSet() {
		ReplicaLocations.requireDistinct(Stream.concat(this.databases.entries().stream(),
				this.databases.directories().stream()).toList(), this.clients);
		this.databases.withPaths().forEach(this::restore);
		this.databases.directories().forEach(this.directoryRestorer::restore);
	}

	/**
	 * Restores one database if its file is missing; a database is only ever tried once.
	 * @param database the database, with its path known
	 */
	void restore(DatabaseSettings database) {
		this.restorer.restoreIfMissing(database, this.leases);
	}

	/**
	 * When the engine compares a database's existing file with its replicas, if the restore
	 * step could not (see {@link DatabaseRestorer#fileCheck}).
	 * @param path the database file
	 * @return when, or empty if it needs no comparison by the engine
	 */
	Optional<FileCheck> fileCheck(Path path) {
		return this.restorer.fileCheck(path);
	}

	/**
	 * Stops renewing the leases taken for the restores: the engine takes them over next.
	 * @throws LeaseFencedException if another instance took one meanwhile
	 */
	void handOverLeases() throws LeaseFencedException {
		this.leases.handOver();
	}

	/**
	 * Gives back the leases the engine never took over.
	 */
	@Override
	public void destroy() {
		this.leases.close();
	}

}
