package io.github.litestream.boot.autoconfigure;

import io.github.litestream.lease.LeaseException;
import io.github.litestream.lease.LeaseFencedException;
import io.github.litestream.lease.LeaseHeldException;
import io.github.litestream.lease.LeaseRecord;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link LitestreamLeaseException}: which replica another instance holds (who,
 * where, until when), or which store cannot keep a lease, and what to do.
 */
class LitestreamLeaseFailureAnalyzer extends AbstractFailureAnalyzer<LitestreamLeaseException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, LitestreamLeaseException cause) {
		LeaseException lease = cause.getLeaseFailure();
		String prefix = cause.getDatabaseProperty();
		if (lease instanceof LeaseHeldException held) {
			return new FailureAnalysis(describe(prefix, held), heldAction(prefix), cause);
		}
		if (lease instanceof LeaseFencedException) {
			// Taken while the application started: that instance may have written past the restore.
			return new FailureAnalysis(prefix + ": " + lease.getMessage() + ".",
					"Another instance took the lease while this one started, and may have written to the replica "
							+ "since this database was restored. Stop the other instance (or make this one its "
							+ "standby with " + prefix + ".standby=true), then restart this one: at its start the "
							+ "database file is set aside and the replica's newest state restored.",
					cause);
		}
		return new FailureAnalysis(prefix + ": " + lease.getMessage() + ".",
				"Replicate to a store that honours conditional writes (AWS S3, MinIO, Cloudflare R2, a local "
						+ "directory), or set " + prefix + ".lease.enabled=false to replicate without a lease (then "
						+ "make sure no two instances ever write to this replica; a standby needs the lease, so "
						+ "remove " + prefix + ".standby too).",
				cause);
	}

	private static String describe(String prefix, LeaseHeldException held) {
		LeaseRecord holder = held.holder();
		return "Replica '" + held.replica() + "' (" + held.location() + ") of " + prefix
				+ " is leased to another instance, which renewed the lease while this one waited:\n\n" + "\tholder: "
				+ holder.holder().instance() + "\n\thost: " + holder.holder().host() + " (pid " + holder.holder().pid()
				+ ")\n\tepoch: " + holder.epoch() + "\n\texpires: " + holder.expiresAt() + " (renewed every "
				+ holder.ttl().dividedBy(3).toMillis() + " ms)\n";
	}

	private static String heldAction(String prefix) {
		return "Only one instance may write to a replica. Stop the other instance first (after its clean shutdown "
				+ "this one starts at once; after a crash, within " + prefix + ".lease.ttl), or give this instance a "
				+ "replica of its own, or set " + prefix + ".standby=true to wait as a standby that follows the "
				+ "replica and takes over when the other stops. Setting " + prefix
				+ ".lease.enabled=false on both turns the protection off: "
				+ "two writers on one replica can leave it unrestorable.";
	}

}
