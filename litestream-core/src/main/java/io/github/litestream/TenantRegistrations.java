package io.github.litestream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.TenantStates.Stopping;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the databases of a {@link DirectoryReplication} with replica clients made for each
 * (and unregisters those a scan found gone), and runs the registrations a scan starts on threads
 * of their own: a registration may wait for a store (its replicas listed, a client connecting),
 * and a scan that waited for it would hold up the discovery of every other tenant. A few
 * registrations run at once; the threads end when idle, so a quiet directory keeps none.
 */
final class TenantRegistrations {

	// The directory's category, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(DirectoryReplication.class);

	/** Registrations a scan runs at once: a stalled store holds up one of them, not the scans. */
	private static final int PARALLELISM = 4;

	private final DatabaseRegistry registry;

	private final DatabaseOptions template;

	private final DirectoryReplication.Targets targets;

	private final ThreadPoolExecutor executor;

	TenantRegistrations(DatabaseRegistry registry, DatabaseOptions template, DirectoryReplication.Targets targets) {
		this.registry = registry;
		this.template = template;
		this.targets = targets;
		this.executor = new ThreadPoolExecutor(PARALLELISM, PARALLELISM, 10, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), EngineScheduler.daemons("litestream-directory-register"));
		this.executor.allowCoreThreadTimeOut(true);
	}

	/**
	 * Runs a registration a scan started on one of the registration threads, or at once on the
	 * caller's after {@link #close()} (a scan called after the directory was closed).
	 * @param registration the registration, which never throws
	 * @return when it has ended
	 */
	Future<?> submit(Runnable registration) {
		try {
			return this.executor.submit(registration);
		}
		catch (RejectedExecutionException ex) {
			FutureTask<?> inline = new FutureTask<>(registration, null);
			inline.run();
			return inline;
		}
	}

	/** Lets the registrations under way end, and their threads with them: a closed directory keeps none. */
	void close() {
		this.executor.shutdown();
	}

	/**
	 * Waits for the registrations a scan started.
	 * @param registrations what {@link #submit} returned
	 * @param directory the directory scanned, for the message
	 * @throws InterruptedIOException if interrupted meanwhile (they go on)
	 */
	static void await(List<Future<?>> registrations, Path directory) throws InterruptedIOException {
		for (Future<?> registration : registrations) {
			try {
				registration.get();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while a scan of " + directory + " registered its new files");
			}
			catch (ExecutionException ex) {
				// A registration logs and records its own failure: this is a bug.
				throw new IllegalStateException(ex.getCause());
			}
		}
	}

	/**
	 * Registers a database with replica clients made for it. A registration refused (a file that
	 * is no database, a path still being unregistered, a replica location in use) closes them:
	 * nothing else would, and a scan retries a refused file whenever it changes.
	 * @param file the database file
	 * @param relative its path relative to the directory
	 * @return the database
	 * @throws IOException as {@link DatabaseRegistry#register(DatabaseOptions, List)}
	 */
	ReplicatedDatabase register(Path file, String relative) throws IOException {
		List<ReplicationTarget> replicas = this.targets.of(relative);
		try {
			return this.registry.register(withPath(file), replicas);
		}
		catch (IOException | RuntimeException ex) {
			for (ReplicationTarget replica : replicas) {
				try {
					replica.client().close();
				}
				catch (IOException | RuntimeException closing) {
					ex.addSuppressed(closing);
				}
			}
			throw ex;
		}
	}

	/**
	 * Deletes what a database's replicas hold, with replica clients made for it.
	 * @param file the database file, not registered
	 * @param relative its path relative to the directory
	 * @throws IOException if a replica cannot be made, listed or deleted from
	 */
	void deleteBackups(Path file, String relative) throws IOException {
		for (ReplicationTarget target : this.targets.of(relative)) {
			try (ReplicaClient client = target.client()) {
				DatabaseRegistry.deleteBackups(file, target.options().name(), client);
			}
		}
	}

	/**
	 * Stops replicating a database a scan found gone or replaced, keeping its backups; outside the
	 * directory's lock. A failure is logged: the file is no longer the directory's database.
	 * @param stopping the database taken out
	 * @param directory the directory, for the log
	 */
	void unregister(Stopping stopping, Path directory) {
		String relative = stopping.relative();
		Path file = stopping.file();
		try {
			if (this.registry.find(file).isPresent()) {
				this.registry.unregister(file, Duration.ZERO, Backups.KEEP);
			}
			logger.info("Stopped replicating {} of {}: {}", relative, directory, stopping.why());
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Could not stop replicating {} of {}: {}", relative, directory, ex.toString());
		}
	}

	private DatabaseOptions withPath(Path file) {
		DatabaseOptions t = this.template;
		return new DatabaseOptions(file, t.monitorInterval(), t.checkpointInterval(), t.minCheckpointPageCount(),
				t.maxCheckpointPageCount(), t.busyTimeout(), t.maxShadowWalSize());
	}

}
