package io.github.litestream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of an engine's start (see {@link EngineLifecycle#start()}), and whether one is under
 * way: what waits for a store or for the previous run, outside the engine's lock
 * ({@link #prepare}), then the opening, under it ({@link #open}). Preparing takes the databases'
 * leases (a crashed holder's ttl may be waited out), compares each database with its replicas,
 * and waits for a snapshot upload of the engine's previous run that still reads its file; it
 * opens and writes nothing, so that a refused instance leaves no trace, and a stop or close
 * meanwhile gives it up at its next step (or within {@link #CANCEL_CHECK} of that wait) without
 * waiting for it.
 */
final class EngineStart {

	// The engine's category, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(Litestream.class);

	/** How long a start waits for a snapshot upload of the previous run, as {@link ReplicatedDatabase#open()}. */
	static final Duration PREVIOUS_SNAPSHOT_WAIT = Duration.ofSeconds(30);

	/** How often that wait looks whether a stop or close gave the start up. */
	private static final Duration CANCEL_CHECK = Duration.ofMillis(50);

	/** The engine's lock: its monitor. */
	private final Object engineLock;

	private final LeaseKeeper leases;

	/** Whether a start is under way: set and read under the engine's lock. */
	private boolean underWay;

	/** Set by a stop or close during a start, to what gave it up: it then fails at its next step. */
	private volatile @Nullable String givenUp;

	/** Set by a close that gave the start up while a step of the stopped run before it still ran. */
	private boolean leavesLeasesToExpire;

	EngineStart(Object engineLock, LeaseKeeper leases) {
		this.engineLock = engineLock;
		this.leases = leases;
	}

	/** Waits, under the engine's lock, for a start under way to end (a second start, a registration). */
	void awaitEnd() throws InterruptedIOException {
		while (this.underWay) {
			try {
				this.engineLock.wait();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while the engine's start under way was awaited");
			}
		}
	}

	/** A start begins, under the engine's lock, once none is under way. */
	void begin() {
		this.underWay = true;
		this.givenUp = null;
		this.leavesLeasesToExpire = false;
	}

	/** The start ended (it runs, failed or was given up, its leases given up), under the engine's lock. */
	void end() {
		this.underWay = false;
		this.engineLock.notifyAll();
	}

	/** Whether a start is under way; under the engine's lock. */
	boolean underWay() {
		return this.underWay;
	}

	/** Whether a stop or close gave the start under way, or the last one, up. */
	boolean givenUp() {
		return this.givenUp != null;
	}

	/**
	 * Gives up a start under way, under the engine's lock: nothing of it is open yet.
	 * @param by what gave it up ("stopped", "closed")
	 * @return whether a start was under way (its leases are its own to give up)
	 */
	boolean giveUp(String by) {
		if (this.underWay && this.givenUp == null) {
			this.givenUp = by;
			logger.info("The engine was {} while it started; the start gives up at its next step", by);
		}
		return this.underWay;
	}

	/** Fails a start that a stop or close gave up. */
	void requireNotGivenUp() {
		String by = this.givenUp;
		if (by != null) {
			throw new IllegalStateException("The engine was " + by + " while it started: nothing was opened, and the "
					+ "leases it took are given up; start it again to replicate");
		}
	}

	/**
	 * Takes the leases of databases registered before the start and checks them, outside the
	 * engine's lock.
	 * @param databases the databases and their replicas, in registration order
	 * @param registered whether a database is still registered: one unregistered meanwhile is skipped
	 * @throws IOException if a lease is refused, a check fails, or a snapshot of the previous run
	 * still reads a file after {@link #PREVIOUS_SNAPSHOT_WAIT}
	 * @throws IllegalStateException if a stop or close gave the start up
	 */
	void prepare(Map<ReplicatedDatabase, List<Replica>> databases, Predicate<ReplicatedDatabase> registered)
			throws IOException {
		// Before anything is opened or written: a refused instance leaves no trace.
		this.leases.acquireAll(databases.keySet(), this::requireNotGivenUp);
		for (Map.Entry<ReplicatedDatabase, List<Replica>> entry : databases.entrySet()) {
			requireNotGivenUp();
			ReplicatedDatabase database = entry.getKey();
			if (!registered.test(database)) {
				// Unregistered meanwhile: not opened by this start, its replicas' clients closed.
				continue;
			}
			// Before anything changes its local state: where it stood is compared with the replicas.
			this.leases.guards().capture(database);
			ContinuationCheck.run(database, entry.getValue(), () -> registered.test(database));
			awaitPreviousRun(database);
		}
		requireNotGivenUp();
	}

	/**
	 * Waits for a snapshot upload that the engine's previous close left reading the file (an
	 * engine started again in the same process): opening meanwhile would leave the new connections
	 * to that close.
	 */
	private void awaitPreviousRun(ReplicatedDatabase database) throws IOException {
		if (!database.closingAfterSnapshot()) {
			return;
		}
		logger.info("Waiting up to {} for a snapshot upload of the previous run, which still reads {}, to end "
				+ "before opening it again", PREVIOUS_SNAPSHOT_WAIT, database.path());
		long deadline = System.nanoTime() + PREVIOUS_SNAPSHOT_WAIT.toNanos();
		while (!database.awaitPreviousClose(CANCEL_CHECK)) {
			if (Thread.currentThread().isInterrupted()) {
				throw new InterruptedIOException("Interrupted while " + database.path()
						+ " waited for a snapshot upload of the previous run");
			}
			requireNotGivenUp();
			if (deadline - System.nanoTime() <= 0) {
				database.requireNotClosing(PREVIOUS_SNAPSHOT_WAIT);
			}
		}
	}

	/**
	 * Opens every prepared database, under the engine's lock: what it waited for has ended, so
	 * this does not wait (a snapshot of the previous run still reading a file fails it at once).
	 * @throws IOException if one cannot be opened; those opened before it are closed again
	 */
	static void open(Iterable<ReplicatedDatabase> databases) throws IOException {
		List<ReplicatedDatabase> opened = new ArrayList<>();
		try {
			for (ReplicatedDatabase database : databases) {
				database.open(Duration.ZERO);
				opened.add(database);
			}
		}
		catch (IOException | RuntimeException | Error ex) {
			opened.forEach(ReplicatedDatabase::close);
			throw ex;
		}
	}

	/**
	 * Closes what a start that failed after {@link #open} opened, under the engine's lock: the
	 * lanes it started stop (see {@link ReplicationLanes#abandonStart()}) and the databases close.
	 * @param opened the databases it opened
	 * @return whether every replica step had ended (otherwise a write of one may still land)
	 */
	static boolean undo(ReplicationLanes lanes, Iterable<ReplicatedDatabase> opened) {
		boolean idle = lanes.abandonStart();
		for (ReplicatedDatabase database : opened) {
			if (idle) {
				database.close();
			}
			else {
				// A snapshot a step still uploads is not waited for: the connections close once it ends.
				database.close(Duration.ZERO);
			}
		}
		return idle;
	}

	/**
	 * How a close that gave the start up left the run before it, or how the start's own failed
	 * beginning left its lanes, under the engine's lock.
	 * @param idle {@code false} if a replica step still runs: a write of its may land
	 */
	void leasesGivenUpBy(boolean idle) {
		this.leavesLeasesToExpire = !idle;
	}

	/**
	 * Ends a start that failed or was given up, under the engine's lock: after a close that gave
	 * it up (it decided whether a step of the run before still writes), and before another start
	 * may take the leases again.
	 * @param giveUpLeases {@code false} if the engine stays as a stop left it: its leases stay
	 * held and renewed, for its close to ship the commits made since and give them up
	 */
	void fail(boolean giveUpLeases) {
		try {
			if (giveUpLeases && this.leavesLeasesToExpire) {
				this.leases.abandonAll();
			}
			else if (giveUpLeases) {
				this.leases.releaseAll();
			}
		}
		finally {
			end();
		}
	}

}
