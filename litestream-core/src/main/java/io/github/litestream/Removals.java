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

	/** Those a close stopped waiting for: they stop before their next generation deletion. */
	private final Set<ReplicatedDatabase> givenUp = new HashSet<>();

	/** How long a close waits for them. */
	private Duration wait = Duration.ofSeconds(30);

	/** A removal begins, under the engine's lock. */
	synchronized void begin(ReplicatedDatabase database) {
		this.removing.add(database);
	}

	/** A removal ended. */
	synchronized void end(ReplicatedDatabase database) {
		this.removing.remove(database);
		this.givenUp.remove(database);
		notifyAll();
	}

	/**
	 * Whether a close stopped waiting for a removal: its leases are no longer renewed, so it
	 * stops at its next step boundary rather than be fenced halfway.
	 */
	synchronized boolean givenUp(ReplicatedDatabase database) {
		return this.givenUp.contains(database);
	}

	/** How long a close waits for the removals (a test's shorter wait). */
	synchronized void waitAtClose(Duration wait) {
		this.wait = wait;
	}

	/**
	 * Waits for the removals under way, for up to 30 seconds. Called under the engine's lock, so
	 * no removal begins meanwhile; a removal never takes that lock again. Those still under way
	 * are given up ({@link #givenUp}).
	 * @return the databases still being removed after the wait
	 */
	synchronized Set<ReplicatedDatabase> awaitAll() {
		long deadline = System.nanoTime() + this.wait.toNanos();
		while (!this.removing.isEmpty()) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				break;
			}
			try {
				TimeUnit.NANOSECONDS.timedWait(this, remaining);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		this.givenUp.addAll(this.removing);
		return Set.copyOf(this.removing);
	}

}
