package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.github.litestream.db.GenerationContinuation;
import io.github.litestream.lease.LeaseFencedException;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.restore.NewestBackup;
import io.github.litestream.restore.ReplicaChooser;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The comparison of a leased database's existing file with its replicas ({@link DivergedFile})
 * that must come before the engine's first write to them whenever it did not come before the
 * engine started: the store did not answer at boot, or the database was registered while the
 * engine runs. Otherwise the engine, taking the lease later as a first acquisition, could
 * replicate a file that another instance's replication left behind as a new generation, which
 * restores prefer, and that instance's commits would be silently left behind.
 *
 * <p>Where the file stood is read from its local state once, before the engine opens it (from
 * then on that state is the engine's own). When the engine first takes a replica's lease and
 * another instance held it before ({@link FileCheck}), writes to that replica wait: its lane
 * compares the file with the replica's newest backup at its next step, before any upload, and
 * again at every sync interval while the replica cannot be listed. A file that is not behind is
 * replicated as before. A stale file is never replicated: the database is fenced for good (every
 * replica, since a replica written from it would be the newest in a restore too), its leases are
 * given back to the instance that holds the newest state, and the file is left as it is, since
 * it is open and may hold commits that never reached a replica.
 */
final class StaleFileGuard {

	private static final Logger logger = LoggerFactory.getLogger(StaleFileGuard.class);

	private final Path path;

	private final Clock clock;

	private final Consumer<StaleFile> onStale;

	private volatile FileCheck check;

	private boolean captured;

	/** Where the file stood before this process opened it; {@code null} if unknown. */
	private @Nullable Pos local;

	/** The leases the engine took, and whether writing to each waits for the comparison. */
	private final Map<ReplicaLease, Boolean> due = new ConcurrentHashMap<>();

	private volatile @Nullable StaleFile stale;

	/** The last reason a comparison could not be made, logged once. */
	private @Nullable String lastFailure;

	/**
	 * Creates the guard of a database being registered, which compares nothing until told
	 * ({@link #check}): whoever registers it knows whether its file was restored, compared or
	 * created before the engine runs, and the engine does not.
	 * @param path the database file
	 * @param clock for the time it is found stale
	 * @param onStale told once, on the comparing thread, when the file is found stale
	 */
	StaleFileGuard(Path path, Clock clock, Consumer<StaleFile> onStale) {
		this.path = path;
		this.clock = clock;
		this.onStale = onStale;
		this.check = FileCheck.DONE;
	}

	/** Says when the file is compared; before its leases are taken. */
	void check(FileCheck check) {
		this.check = check;
	}

	/** Reads where the file stands, once, before the engine first opens it. */
	synchronized void capture() {
		if (this.captured || this.check == FileCheck.DONE) {
			return;
		}
		this.captured = true;
		try {
			this.local = GenerationContinuation.localPosition(this.path).orElse(null);
		}
		catch (IOException ex) {
			// Compared as a file whose position is unknown: stale if another instance wrote since.
			logger.warn("The local replication state of {} cannot be read ({}); where it stands is unknown",
					this.path, ex.getMessage());
		}
	}

	/**
	 * Notes the engine's first acquisition of a lease, right after an attempt to take it (on the
	 * thread that made it, before the next attempt: whether another instance held it before
	 * is the last acquisition's).
	 * @param lease the lease
	 */
	void leaseTaken(ReplicaLease lease) {
		FileCheck when = this.check;
		if (when != FileCheck.DONE && lease.acquisitions() > 0 && !this.due.containsKey(lease)) {
			this.due.putIfAbsent(lease, when == FileCheck.BEFORE_FIRST_WRITE || lease.lastAcquisitionFollowedAnother());
		}
	}

	/**
	 * Whether a replica whose lease allows writes may be written to now; compares the file with
	 * it first if that is due. Called on the replica's lane only, before each of its steps.
	 */
	boolean writable(ReplicaLease lease, Replica replica) {
		if (this.stale != null) {
			return false;
		}
		if (this.check == FileCheck.DONE) {
			return true;
		}
		Boolean waits = this.due.get(lease);
		// Not noted yet: the keeper notes an acquisition right after it.
		return waits != null && (!waits || compare(lease, replica));
	}

	/**
	 * Refuses a write (a sync or snapshot asked for now, retention) while the file is stale or
	 * not compared yet; never compares.
	 * @throws LeaseFencedException if the write must not go out
	 */
	void checkWritable(ReplicaLease lease, String replica, String location) throws LeaseFencedException {
		StaleFile file = this.stale;
		if (file != null) {
			throw new LeaseFencedException(replica, location, this.path + " is stale and is not replicated ("
					+ file.reason() + "); to fix it, " + file.fix());
		}
		if (this.check != FileCheck.DONE && !Boolean.FALSE.equals(this.due.get(lease))) {
			throw new LeaseFencedException(replica, location, this.path + " has not been compared with the "
					+ "replica's newest backup yet (another instance held its lease before this one)");
		}
	}

	/** Whether writes to a replica were let through (a write of its may be under way). */
	boolean letThrough(ReplicaLease lease) {
		return this.check == FileCheck.DONE || Boolean.FALSE.equals(this.due.get(lease));
	}

	Optional<StaleFile> stale() {
		return Optional.ofNullable(this.stale);
	}

	private synchronized boolean compare(ReplicaLease lease, Replica replica) {
		if (this.stale != null || Boolean.FALSE.equals(this.due.get(lease))) {
			return this.stale == null;
		}
		ReplicaClient client = replica.client();
		NewestBackup newest;
		Optional<String> why;
		try {
			newest = ReplicaChooser.list(client, replica.name(), client, 1).newestBackup();
			why = (newest != null) ? DivergedFile.staleness(this.path, Optional.ofNullable(this.local), client, newest)
					: Optional.empty();
		}
		catch (IOException | RuntimeException ex) {
			notComparedYet(replica, ex);
			return false;
		}
		if (why.isEmpty()) {
			this.due.put(lease, false);
			logger.info("{} is not behind the newest backup of replica '{}' ({}), whose lease another instance held "
					+ "before ({}): it is replicated", this.path, replica.name(), client.location(),
					(newest != null) ? newest : "the replica holds none");
			return true;
		}
		StaleFile file = new StaleFile(this.path, replica.name(), client.location(),
				"another instance held the lease of replica '" + replica.name() + "' (" + client.location()
						+ ") since it was last replicated, and it is behind the replica's newest backup (" + newest
						+ "): " + why.get(),
				this.clock.instant());
		this.stale = file;
		logger.error("{} is stale: {}. Replicating it would leave that instance's commits behind, so nothing of it "
				+ "is written to any of its replicas, and their leases are given back for the instance that holds "
				+ "the newest state. The file is left as it is (it may hold commits that never reached a replica). "
				+ "To fix it, {}", this.path, file.reason(), file.fix());
		this.onStale.accept(file);
		return false;
	}

	private void notComparedYet(Replica replica, Exception ex) {
		String message = Objects.toString(ex.getMessage(), ex.getClass().getSimpleName());
		if (message.equals(this.lastFailure)) {
			logger.debug("{} could not be compared with replica '{}' yet: {}", this.path, replica.name(), message);
			return;
		}
		this.lastFailure = message;
		logger.warn("{} could not be compared with replica '{}' ({}) yet, whose lease another instance held before: "
				+ "{}. Nothing is written to the replica until it is; tried again every {}", this.path, replica.name(),
				replica.client().location(), message, replica.options().syncInterval());
	}

}
