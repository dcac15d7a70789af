package io.github.litestream;

/**
 * How many threads the engine runs, whatever the number of databases: the capture pool copies
 * WAL into shadow WALs and checkpoints (local disk and checksums), the replica pool ships,
 * snapshots, enforces retention and validates (mostly waiting on the network). Each pool runs
 * one task per database or replica at a time, taking turns; one more thread only keeps time.
 *
 * @param capture threads for capturing WAL, at least 1
 * @param replica threads for replica work, at least 1
 */
public record EngineThreads(int capture, int replica) {

	/**
	 * Validates the counts.
	 */
	public EngineThreads {
		if (capture < 1 || replica < 1) {
			throw new IllegalArgumentException("Thread counts must be at least 1, got capture=" + capture
					+ " and replica=" + replica);
		}
	}

	/**
	 * The defaults: a capture thread per processor (the work is local disk and CPU, so more
	 * would only take turns), and four replica threads per processor, at least eight, because a
	 * replica thread mostly waits for a remote store: with eight, eight slow uploads at once
	 * still leave the capture of every database untouched, and a ninth replica waits its turn
	 * rather than a thread being made for it.
	 * @return the defaults for this machine
	 */
	public static EngineThreads defaults() {
		int processors = Runtime.getRuntime().availableProcessors();
		return new EngineThreads(defaultCapture(processors), defaultReplica(processors));
	}

	static int defaultCapture(int processors) {
		return Math.max(1, processors);
	}

	static int defaultReplica(int processors) {
		return Math.max(8, 4 * processors);
	}

}
