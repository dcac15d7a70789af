package io.github.litestream;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.github.litestream.db.ReplicatedDatabase;

/**
 * The databases whose removal runs outside the engine's lock (see
 * {@link EngineLifecycle#detach}), for a close to wait for: each flushes on the engine's replica
 * threads and deletes backups under its leases, which a close would shut down and release under
 * it. Its own monitor guards it.
 */
final class Removals {

	private final Set<ReplicatedDatabase> removing = new HashSet<>();

	/** A removal begins, under the engine's lock. */
	synchronized void begin(ReplicatedDatabase database) {
		this.removing.add(database);
	}

	/** A removal ended. */
	synchronized void end(ReplicatedDatabase database) {
		this.removing.remove(database);
		notifyAll();
	}

	/**
	 * Waits for the removals under way. Called under the engine's lock, so no removal begins
	 * meanwhile; a removal never takes that lock again.
	 * @return the databases still being removed after the timeout
	 */
	synchronized Set<ReplicatedDatabase> awaitAll(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!this.removing.isEmpty()) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				return Set.copyOf(this.removing);
			}
			try {
				TimeUnit.NANOSECONDS.timedWait(this, remaining);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return Set.copyOf(this.removing);
			}
		}
		return Set.of();
	}

}
