package io.github.litestream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.TenantStates.Stopping;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates every database of a directory, as Litestream v0.5's {@code dir}, {@code pattern}
 * and {@code recursive} keys do: each file whose name matches the glob pattern (in the
 * directory itself, or below it when recursive) is replicated under
 * {@code <replica>/<path relative to the directory>/}. Every scan interval the directory is
 * listed again: new files are registered, files that are gone stop being replicated (their
 * backups stay).
 *
 * <p>Unlike Litestream, a candidate's header is not read to see whether it is SQLite: opening
 * and closing a descriptor on a database this JVM has open would drop SQLite's POSIX locks on
 * it. An empty file is passed over until it has content; a file that is not a database fails
 * to open, is logged once and is tried again only when its size changes. Hidden entries (a
 * name starting with a dot, such as the engine's own {@code .<db>-litestream} directories and
 * a restore's temporary files) are never candidates.
 *
 * <p>Symbolic links are followed as SQLite follows them: a linked database is replicated under
 * the link's name, a linked subdirectory is searched when recursive, and one file reached under
 * two names is replicated once (see {@link TenantLinks}).
 *
 * <p>A tenant whose store is slow or unreachable holds up its own registration only: a
 * registration (a restore, its replicas read) runs outside the directory's lock, and those a
 * scan starts run on a few threads of their own ({@link TenantRegistrations}), so that scans,
 * {@link #add} and {@link #delete} of the other tenants go on meanwhile.
 */
public final class DirectoryReplication implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(DirectoryReplication.class);

	private final DatabaseRegistry registry;

	private final Path directory;

	/** Which of the directory's files are its databases. */
	private final TenantMatcher matcher;

	private final DatabaseOptions template;

	private final TenantRegistrations registrations;

	/** Where each file stands; the directory's lock (this) guards it, but for what {@link #add} reads. */
	private final TenantStates tenants = new TenantStates();

	/** One scan at a time; taken before the directory's lock (this), never after. */
	private final Object scanLock = new Object();

	private ScheduledExecutorService scanner;

	/**
	 * Creates a directory replication; nothing happens before {@link #scan()} or
	 * {@link #start()}.
	 * @param registry where databases are registered
	 * @param directory the directory
	 * @param pattern a glob matched against file names, such as {@code *.db}
	 * @param recursive whether to look in subdirectories too
	 * @param template the options of every database (its path is replaced)
	 * @param targets the replicas of a database, from its path relative to the directory
	 * @throws IllegalArgumentException if the pattern is not a valid glob
	 */
	public DirectoryReplication(DatabaseRegistry registry, Path directory, String pattern, boolean recursive,
			DatabaseOptions template, Targets targets) {
		this.registry = registry;
		this.directory = directory.toAbsolutePath().normalize();
		this.matcher = new TenantMatcher(this.directory, pattern, recursive);
		this.template = template;
		this.registrations = new TenantRegistrations(registry, template, targets);
	}

	/**
	 * Lists the directory once: registers the new matching files and unregisters those gone, and
	 * returns once they are. Stopping one may wait (for a snapshot still reading its file, for a
	 * removal callback) and registering one may wait for its store: both run outside the
	 * directory's lock, and registrations outside the scans' too, so that other tenants are
	 * added, deleted and found by other scans meanwhile. A file another scan or {@link #add} is
	 * registering is passed over.
	 * @throws IOException if the directory cannot be listed
	 */
	public void scan() throws IOException {
		TenantRegistrations.await(scanOnce(), this.directory);
	}

	/** Scans once; the registrations it started run on, outside every lock. */
	private List<Future<?>> scanOnce() throws IOException {
		synchronized (this.scanLock) {
			// A tenant's file deleted since it stopped: the descriptor its close had to keep goes.
			ReplicatedDatabase.closeDescriptorsOfDeletedFiles();
			Map<String, Path> found = this.matcher.list();
			List<Stopping> gone = takeOutGone(found);
			try {
				gone.forEach((stopping) -> this.registrations.unregister(stopping, this.directory));
			}
			finally {
				stopped(gone);
			}
			return startNew(found);
		}
	}

	/** Takes out the files gone or replaced, which are then unregistered outside the lock. */
	private synchronized List<Stopping> takeOutGone(Map<String, Path> found) {
		return this.tenants.takeOutGone(found,
				(file) -> this.registry.find(file).map(ReplicatedDatabase::fileReplaced).orElse(false));
	}

	private synchronized void stopped(List<Stopping> gone) {
		this.tenants.stopped(gone);
		// add() and delete() of those files wait for this.
		notifyAll();
	}

	/** Reserves the new files worth trying, and starts registering each outside the locks. */
	private synchronized List<Future<?>> startNew(Map<String, Path> found) {
		List<Future<?>> started = new ArrayList<>();
		for (Map.Entry<String, Path> entry : found.entrySet()) {
			String relative = entry.getKey();
			Path file = entry.getValue();
			long size = TenantFiles.size(file);
			if (this.tenants.isNew(relative, file) && this.tenants.worthTrying(file, size)) {
				this.tenants.beginRegistering(file);
				started.add(this.registrations.submit(() -> start(relative, file, size)));
			}
		}
		return started;
	}

	/**
	 * Waits, releasing the lock, while a scan stops a file or a scan or {@link #add} registers
	 * it: it is neither registered twice nor registered again while it stops.
	 */
	private void awaitNotInHand(Path file) throws InterruptedIOException {
		while (this.tenants.inHand(file)) {
			try {
				wait();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while " + file + " of " + this.directory
						+ " was being registered or stopped");
			}
		}
	}

	/** Ends a registration begun under the lock: records its outcome, and wakes those waiting for it. */
	private synchronized void settle(Path file, Runnable outcome) {
		try {
			outcome.run();
		}
		finally {
			this.tenants.endRegistering(file);
			notifyAll();
		}
	}

	/**
	 * Replicates a database of the directory now rather than at the next scan, restoring it
	 * first if its file is missing and a replica holds a backup (a scan only sees files that
	 * exist): for a tenant's database opened on demand. A registered database is returned at
	 * once. A new one's restore and registration wait for its own store only: other tenants are
	 * added, deleted and scanned meanwhile; a second {@code add} of the same file waits for the
	 * first one's registration and returns its database, as does an {@code add} of another name of
	 * a registered tenant's file (a symbolic link and its target).
	 * @param file a file of the directory that matches the pattern
	 * @return the database, already registered or newly
	 * @throws IOException if a replica cannot be read, the restore fails or the database
	 * cannot be opened
	 * @throws IllegalArgumentException if the file is not one of the directory's databases
	 */
	public ReplicatedDatabase add(Path file) throws IOException {
		Path absolute = file.toAbsolutePath().normalize();
		String relative = this.matcher.relativeOf(absolute);
		// Without the lock: a registered tenant must not wait for another one's restore. Only a
		// registration that completed counts (the registry lists one while it is still opening).
		ReplicatedDatabase ready = this.tenants.ready(absolute);
		if (ready != null && this.registry.find(absolute).orElse(null) == ready) {
			return ready;
		}
		Optional<ReplicatedDatabase> known = reserve(absolute, relative);
		if (known.isPresent()) {
			return known.get();
		}
		ReplicatedDatabase database = null;
		try {
			Files.createDirectories(absolute.getParent());
			database = this.registrations.register(absolute, relative);
			return database;
		}
		finally {
			ReplicatedDatabase registered = database;
			settle(absolute, () -> {
				if (registered != null) {
					this.tenants.registered(relative, absolute, registered);
				}
			});
		}
	}

	/**
	 * Reserves a file for {@link #add} to register outside the lock, once nobody else registers
	 * or stops it.
	 * @return its database if it is registered already, else empty (it is reserved)
	 */
	private synchronized Optional<ReplicatedDatabase> reserve(Path absolute, String relative)
			throws InterruptedIOException {
		awaitNotInHand(absolute);
		if (this.tenants.deleting(absolute)) {
			throw new IllegalStateException("Cannot add " + relative + " of " + this.directory + ": it is being "
					+ "deleted (its last commits shipped or its backups deleted); add it again once the delete has "
					+ "returned");
		}
		Optional<ReplicatedDatabase> known = this.registry.find(absolute);
		if (known.isEmpty()) {
			// A link to a tenant registered under its other name: one file, one registration.
			known = this.registry.findSameFile(absolute);
		}
		if (known.isEmpty()) {
			this.tenants.beginRegistering(absolute);
		}
		return known;
	}

	/**
	 * Deletes a database of the directory: stops replicating it, deletes its file, WAL,
	 * shared memory and the engine's state next to it, and, with {@link Backups#DELETE}, what
	 * its replicas hold. Close the application's connections to it first. Only this database
	 * waits for its last commits to ship or its backups to go: other databases are added and
	 * deleted meanwhile, while scans pass this file over and {@link #add} refuses it until this
	 * returns. A delete of a file being registered waits for that registration first.
	 * @param file the database file
	 * @param timeout how long shipping its last commits may take (with {@link Backups#KEEP})
	 * @param backups whether its replicas keep their backups
	 * @throws IOException if its files or backups cannot be deleted; its file is then left
	 * in place and replicated again at the next scan, and a retry deletes what remains
	 * @throws IllegalStateException if it is being deleted already
	 */
	public void delete(Path file, Duration timeout, Backups backups) throws IOException {
		Path absolute = file.toAbsolutePath().normalize();
		String relative = this.matcher.relativeOf(absolute);
		beginDelete(absolute, relative);
		try {
			if (this.registry.find(absolute).isPresent()) {
				this.registry.unregister(absolute, timeout, backups);
			}
			else if (backups == Backups.DELETE) {
				// Not replicated now (stopped by a delete that failed, or by a scan), but its
				// replicas still hold its backups, which a restore would bring back.
				this.registrations.deleteBackups(absolute, relative);
			}
			TenantFiles.delete(absolute);
			ReplicatedDatabase.closeDescriptorsOfDeletedFiles();
		}
		finally {
			endDelete(absolute, relative);
		}
		logger.info("Deleted {} of {}{}", relative, this.directory,
				(backups == Backups.DELETE) ? " and its backups" : "; its backups stay");
	}

	private synchronized void beginDelete(Path absolute, String relative) throws InterruptedIOException {
		awaitNotInHand(absolute);
		// Not handed out by add() while it goes.
		if (!this.tenants.beginDelete(absolute)) {
			throw new IllegalStateException(relative + " of " + this.directory + " is being deleted already");
		}
	}

	private synchronized void endDelete(Path absolute, String relative) {
		this.tenants.endDelete(relative, absolute, this.registry.find(absolute));
	}

	/**
	 * The databases of the directory replicated now.
	 * @return their paths relative to the directory, sorted
	 */
	public synchronized Set<String> databases() {
		return this.tenants.databases();
	}

	/**
	 * Scans now and then every monitor interval of the template, on a daemon thread of its own
	 * (one per directory, whatever the number of databases in it): a new database is
	 * replicated within a monitor interval of its first commit.
	 * @throws IOException if the first scan cannot list the directory
	 */
	public void start() throws IOException {
		// Not under the directory's lock: a scan takes the scans' lock first, then that one.
		scan();
		synchronized (this) {
			if (this.scanner == null) {
				long interval = this.template.monitorInterval().toMillis();
				this.scanner = Executors.newSingleThreadScheduledExecutor(EngineScheduler.daemons("litestream-directory"));
				this.scanner.scheduleWithFixedDelay(this::scanQuietly, interval, interval, TimeUnit.MILLISECONDS);
			}
		}
	}

	private void scanQuietly() {
		try {
			// Without waiting for the registrations it started: the next scan finds new files while
			// one waits for its store.
			scanOnce();
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Could not scan {} for databases: {}", this.directory, ex.toString());
		}
	}

	/**
	 * Stops scanning; registrations under way end without being waited for. The databases stay
	 * registered: the engine's stop and close end them with the others.
	 */
	@Override
	public synchronized void close() {
		if (this.scanner != null) {
			this.scanner.shutdown();
			this.scanner = null;
		}
		this.registrations.close();
	}

	/** Registers a file a scan found and reserved; on a registration thread, outside the locks. */
	private void start(String relative, Path file, long size) {
		ReplicatedDatabase database;
		try {
			database = this.registrations.register(file, relative);
		}
		catch (IOException | RuntimeException ex) {
			settle(file, () -> this.tenants.failed(file, size));
			logger.warn("Could not replicate {} of {}; trying again when the file changes: {}", relative,
					this.directory, ex.toString());
			return;
		}
		settle(file, () -> this.tenants.registered(relative, file, database));
		logger.info("Replicating {} of {}", relative, this.directory);
	}

	/**
	 * The replicas of one database of the directory.
	 */
	@FunctionalInterface
	public interface Targets {

		/**
		 * Creates the replicas of a database.
		 * @param relativePath its path relative to the directory, {@code /}-separated, such as
		 * {@code tenants/acme.db}
		 * @return its replicas, each under {@code <replica>/<relativePath>/}
		 * @throws IOException if a replica cannot be created
		 */
		List<ReplicationTarget> of(String relativePath) throws IOException;

	}

}
