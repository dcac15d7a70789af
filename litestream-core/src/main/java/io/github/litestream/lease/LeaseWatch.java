package io.github.litestream.lease;

/**
 * Watches another instance's lease that may be alive. Its expiry is the other host's wall
 * clock, which may disagree with ours; so instead the watcher notes when it first saw a version
 * (by this process's monotonic clock) and calls the holder gone only once that version stayed
 * unchanged for the lease's whole ttl. A new version seen while watching proves the holder
 * alive: it renewed.
 */
final class LeaseWatch {

	private String watchedVersion;

	private long watchedSince;

	/**
	 * Looks at the lease once more.
	 * @param version its version now
	 * @param record its content
	 * @param nowNanos this process's monotonic time
	 * @return what that means
	 */
	Verdict observe(String version, LeaseRecord record, long nowNanos) {
		if (!version.equals(this.watchedVersion)) {
			boolean changedWhileWatched = this.watchedVersion != null;
			this.watchedVersion = version;
			this.watchedSince = nowNanos;
			return changedWhileWatched ? Verdict.ALIVE : Verdict.UNKNOWN;
		}
		return (nowNanos - this.watchedSince < record.ttl().toNanos()) ? Verdict.UNKNOWN : Verdict.GONE;
	}

	/** Forgets what was watched (the lease is ours now). */
	void reset() {
		this.watchedVersion = null;
	}

	/** What watching tells about the holder. */
	enum Verdict {

		/** It renewed while we watched. */
		ALIVE,

		/** Not known yet. */
		UNKNOWN,

		/** Its lease stayed unchanged for its ttl. */
		GONE

	}

}
