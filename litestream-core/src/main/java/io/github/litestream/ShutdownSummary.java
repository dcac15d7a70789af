package io.github.litestream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one INFO line an engine's shutdown ends with, as Litestream logs one on SIGTERM: how many
 * databases stopped, whether every commit reached every replica, how long the stop and the final
 * shipping took, and what became of the leases. Per engine, not per database: the WARNs name
 * what was left behind.
 */
final class ShutdownSummary {

	// The engine's category, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(Litestream.class);

	private final Clock clock;

	/** When the running engine's stop began, or {@code null} if it has not stopped since it ran. */
	private @Nullable Instant stopBegan;

	private int databases;

	ShutdownSummary(Clock clock) {
		this.clock = clock;
	}

	/**
	 * Records that a running engine begins to stop.
	 * @param databases how many databases it replicated
	 */
	void stopBegan(int databases) {
		this.stopBegan = this.clock.instant();
		this.databases = databases;
	}

	/**
	 * Logs the line at the close of an engine that ran, once the last commits were shipped (or
	 * given up) and the leases released (or left to expire); nothing for one that never ran.
	 * @param behind how many databases have a replica without every commit
	 * @param leases how many leases were released, or left to expire
	 * @param released whether they were released
	 */
	void closed(long behind, int leases, boolean released) {
		Instant began = this.stopBegan;
		if (began == null) {
			return;
		}
		this.stopBegan = null;
		long millis = Duration.between(began, this.clock.instant()).toMillis();
		String shipped = (behind == 0) ? "every commit shipped to every replica"
				: behind + " with commits not on every replica yet (kept in the local shadow WAL, shipped at "
						+ "the next start)";
		String leased = (leases == 0) ? "" : (released) ? "; " + leases + " lease(s) released"
				: "; " + leases + " lease(s) left to expire after their ttl (a replica step was still running)";
		logger.info("Stopped replicating {} database(s): {} in {} ms{}", this.databases, shipped, millis, leased);
	}

}
