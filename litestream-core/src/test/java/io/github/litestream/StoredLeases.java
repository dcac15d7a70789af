package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;

import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.file.FileReplicaClient;

/** The lease a file replica stores, as another instance would read it. */
final class StoredLeases {

	private StoredLeases() {
	}

	/**
	 * Reads the lease stored in a file replica.
	 * @param replica the replica's root
	 * @return the stored lease
	 * @throws IOException if it cannot be read
	 * @throws java.util.NoSuchElementException if none is stored
	 */
	static LeaseRecord storedLease(Path replica) throws IOException {
		return LeaseRecord.parse(new FileReplicaClient(replica).conditionalObjects()
			.orElseThrow()
			.read(ReplicaLease.OBJECT)
			.orElseThrow()
			.content());
	}

}
