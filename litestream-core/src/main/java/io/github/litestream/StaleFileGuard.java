package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
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
 *
 * <p><b>No replica is written before every comparison due is made.</b> The verdict is the
 * database's, not a replica's: a file found stale through one replica must have reached none
 * (a replica written from it would be newest to a restore too). So while the file is to be
 * compared, a replica whose own comparison is not due, or made already, still waits for the
 * others: for every lease to be taken (whether its comparison is due is known only then) and
 * every comparison due to be made. One replica's store that does not answer holds up them all;
 * {@link #awaiting()} says which one, for health and the endpoint.
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

	/** The database's leases in registration order, and where each one's comparison stands. */
	private final Map<ReplicaLease, Comparison> comparisons = Collections.synchronizedMap(new LinkedHashMap<>());

	/** The replicas' names and locations, for {@link #awaiting()}. */
	private final Map<ReplicaLease, Named> names = new ConcurrentHashMap<>();

	/** Since when writes wait for the comparisons. */
	private volatile Instant since;

	/** Set once every comparison due was made and none found the file stale: writes go on. */
	private volatile boolean settled;

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
		this.since = clock.instant();
	}

	/** Says when the file is compared; before its leases are taken. */
	void check(FileCheck check) {
		this.since = this.clock.instant();
		this.check = check;
	}

	/** Notes a lease of the database, as it is created: no replica is written before it is taken. */
	void expect(ReplicaLease lease, String replica, String location) {
		this.names.put(lease, new Named(replica, location));
		this.comparisons.putIfAbsent(lease, Comparison.LEASE_NOT_TAKEN);
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
		if (when != FileCheck.DONE && lease.acquisitions() > 0) {
			boolean due = when == FileCheck.BEFORE_FIRST_WRITE || lease.lastAcquisitionFollowedAnother();
			this.comparisons.replace(lease, Comparison.LEASE_NOT_TAKEN, due ? Comparison.DUE : Comparison.CLEAR);
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
		if (this.check == FileCheck.DONE || this.settled) {
			return true;
		}
		if (this.comparisons.get(lease) == Comparison.DUE && !compare(lease, replica)) {
			return false;
		}
		// Not taken yet (the keeper notes an acquisition right after it), or others still to compare.
		return awaited() == null;
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
		Optional<AwaitedComparison> awaited = awaiting();
		if (awaited.isPresent()) {
			throw new LeaseFencedException(replica, location, awaited.get().describe());
		}
	}

	/** Whether writes to the database's replicas were let through (a write may be under way). */
	boolean letThrough() {
		return this.check == FileCheck.DONE || this.settled;
	}

	Optional<StaleFile> stale() {
		return Optional.ofNullable(this.stale);
	}

	/**
	 * The comparison writes wait for, if they do.
	 * @return the first replica whose comparison is awaited, or empty once none is (or the file
	 * was found stale)
	 */
	Optional<AwaitedComparison> awaiting() {
		if (this.stale != null || this.check == FileCheck.DONE || this.settled) {
			return Optional.empty();
		}
		Map.Entry<ReplicaLease, Comparison> first = awaited();
		if (first == null) {
			return Optional.empty();
		}
		Named named = this.names.get(first.getKey());
		return Optional.of(new AwaitedComparison(this.path, named.replica(), named.location(),
				first.getValue() == Comparison.DUE, this.since));
	}

	/** The first lease whose comparison is awaited; {@code null} (and settled) if none is. */
	private Map.@Nullable Entry<ReplicaLease, Comparison> awaited() {
		synchronized (this.comparisons) {
			for (Map.Entry<ReplicaLease, Comparison> entry : this.comparisons.entrySet()) {
				if (entry.getValue() != Comparison.CLEAR) {
					return Map.entry(entry.getKey(), entry.getValue());
				}
			}
		}
		this.settled = this.stale == null;
		return null;
	}

	private synchronized boolean compare(ReplicaLease lease, Replica replica) {
		if (this.stale != null || this.comparisons.get(lease) != Comparison.DUE) {
			return this.stale == null;
		}
		// Finding the newest backup lists the generation that the staleness check lists again.
		ReplicaClient client = new ListedOnce(replica.client());
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
			this.comparisons.put(lease, Comparison.CLEAR);
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
				+ "{}. Nothing is written to any replica of it until it is; tried again every {}", this.path,
				replica.name(), replica.client().location(), message, replica.options().syncInterval());
	}

	/** A leased replica, for messages. */
	private record Named(String replica, String location) {
	}

	/** Where a lease's comparison stands. */
	private enum Comparison {

		/** Not taken yet: whether its comparison is due is not known. */
		LEASE_NOT_TAKEN,

		/** Taken, and the file is to be compared with its replica. */
		DUE,

		/** Compared (not behind), or its comparison is not due. */
		CLEAR

	}

}
