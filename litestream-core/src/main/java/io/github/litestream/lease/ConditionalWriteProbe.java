package io.github.litestream.lease;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalObjects.VersionedObject;
import io.github.litestream.replica.ConditionalWriteConflictException;
import org.jspecify.annotations.Nullable;

/**
 * Proves that a store refuses conditional writes it must refuse, before a lease relies on them:
 * some S3-compatible stores answer {@code 200} to an {@code If-None-Match} or {@code If-Match}
 * they do not honour, and a lease on such a store would let two instances in. Uses its own
 * object ({@value ReplicaLease#PROBE}), so a store that ignores the conditions overwrites
 * nothing that matters. One probe per {@link ReplicaLease}, before its first use of the store,
 * unless it takes over a holding of this instance that probed the store already; not
 * thread-safe (the lease's lock guards it).
 */
final class ConditionalWriteProbe {

	private final @Nullable ConditionalObjects objects;

	private final String replica;

	private final String location;

	private final LeaseHolder self;

	private boolean probed;

	ConditionalWriteProbe(@Nullable ConditionalObjects objects, String replica, String location, LeaseHolder self) {
		this.objects = objects;
		this.replica = replica;
		this.location = location;
		this.self = self;
	}

	/**
	 * The store's conditional writes, probed the first time (a probe that failed runs again).
	 * @return the store
	 * @throws LeaseUnsupportedException if the backend has none, or the store accepted a write
	 * it must refuse
	 * @throws IOException if the store cannot be read or written
	 */
	ConditionalObjects probedStore() throws IOException {
		ConditionalObjects store = store();
		if (!this.probed) {
			probe(store, this.replica, this.location, this.self);
			this.probed = true;
		}
		return store;
	}

	/**
	 * The store's conditional writes, probed or not: to read before deciding whether the probe
	 * is needed ({@link #probeUnlessHandedOver}).
	 * @return the store
	 * @throws LeaseUnsupportedException if the backend has none
	 */
	ConditionalObjects store() throws LeaseUnsupportedException {
		if (this.objects == null) {
			throw new LeaseUnsupportedException(this.replica, this.location, "its backend has no conditional writes",
					null);
		}
		return this.objects;
	}

	/**
	 * Probes the store, unless it was probed already or this lease takes over a holding of this
	 * instance: a record of this instance, alive, is in the store only because a lease of this
	 * instance probed that very store before its first write (every write of a record follows a
	 * probe or such a takeover). The holding has relied on that probe since; so does this lease.
	 * @param handedOver whether the lease read from the store is handed over within this instance
	 * @throws LeaseUnsupportedException if the store accepted a write it must refuse
	 * @throws IOException if the store cannot be read or written
	 */
	void probeUnlessHandedOver(boolean handedOver) throws IOException {
		if (!handedOver) {
			probedStore();
		}
		this.probed = true;
	}

	/**
	 * Probes a store: its own check ({@link ConditionalObjects#exclusivityProblem()}) must find
	 * nothing, and a second create of the probe object and a replace with a version it no longer
	 * has must both fail.
	 * @throws LeaseUnsupportedException if the store accepted either
	 * @throws IOException if the store cannot be read or written
	 */
	private static void probe(ConditionalObjects store, String replica, String location, LeaseHolder self)
			throws IOException {
		Optional<String> problem = store.exclusivityProblem();
		if (problem.isPresent()) {
			throw new LeaseUnsupportedException(replica, location, problem.get(), null);
		}
		byte[] content = ("{\"probe\":" + FlatJson.quote(self.instance()) + "}\n").getBytes(StandardCharsets.UTF_8);
		// A version the store itself made (backends may reject versions of another form): the one
		// read, or the one created. Not read again after the refused create, which changed nothing.
		String stale = store.read(ReplicaLease.PROBE).map(VersionedObject::version).orElse(null);
		if (stale == null) {
			try {
				stale = store.create(ReplicaLease.PROBE, content);
			}
			catch (ConditionalWriteConflictException ex) {
				// Another instance probed at the same moment: the object exists, as needed.
			}
		}
		try {
			store.create(ReplicaLease.PROBE, content);
			throw new LeaseUnsupportedException(replica, location,
					"the store accepted a create of an object that exists (it ignores If-None-Match)", null);
		}
		catch (ConditionalWriteConflictException expected) {
			// The store refused, as it must.
		}
		if (stale == null) {
			stale = store.read(ReplicaLease.PROBE)
				.orElseThrow(
						() -> new IOException(ReplicaLease.PROBE + " vanished from replica '" + replica + "' while probed"))
				.version();
		}
		try {
			store.replace(ReplicaLease.PROBE, content, stale);
		}
		catch (ConditionalWriteConflictException ex) {
			// Another instance replaced it meanwhile: the store refused a stale version, as it must.
			return;
		}
		try {
			store.replace(ReplicaLease.PROBE, content, stale);
			throw new LeaseUnsupportedException(replica, location,
					"the store accepted a replace with a version the object no longer has (it ignores If-Match)", null);
		}
		catch (ConditionalWriteConflictException expected) {
			// The store refused, as it must.
		}
	}

}
