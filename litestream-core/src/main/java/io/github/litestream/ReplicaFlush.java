package io.github.litestream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ships everything pending to a set of replicas, all at once, within a deadline: the final
 * flush at shutdown, and when one database stops being replicated.
 */
final class ReplicaFlush {

	private ReplicaFlush() {
	}

	/**
	 * Flushes replicas on their own lanes, all at once, and waits for them until the deadline.
	 * @return {@code true} if every replica holds its database's position
	 */
	static boolean flushAll(Collection<ReplicaTask> tasks, Clock clock, Instant deadline) {
		List<Future<Boolean>> flushes = new ArrayList<>();
		tasks.forEach((task) -> flushes.add(task.flush()));
		boolean flushed = true;
		for (Future<Boolean> flush : flushes) {
			flushed &= awaitFlush(flush, clock, deadline);
		}
		return flushed;
	}

	/**
	 * Waits for a flush until the deadline. A flush that is late is cancelled without an
	 * interrupt: it may be reading the database file or the shadow WAL, and an interrupt closes a
	 * {@code FileChannel} in use (on the database file that would drop SQLite's locks). If it has
	 * not started it never will; if it has, it finishes in the background.
	 */
	private static boolean awaitFlush(Future<Boolean> flush, Clock clock, Instant deadline) {
		try {
			return flush.get(remaining(clock, deadline).toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException | ExecutionException | CancellationException ex) {
			// Cancelled: the engine closed under a removal's flush, whose lane can no longer run.
			flush.cancel(false);
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	static Duration remaining(Clock clock, Instant deadline) {
		Duration remaining = Duration.between(clock.instant(), deadline);
		return remaining.isNegative() ? Duration.ZERO : remaining;
	}

}
