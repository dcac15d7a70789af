package io.github.litestream.replica.sftp;

import java.util.EnumMap;
import java.util.Map;

import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Counts the requests a replica client reports, and their bytes.
 */
final class RecordingListener implements ReplicaOperationListener {

	private final Map<ReplicaOperation, long[]> counts = new EnumMap<>(ReplicaOperation.class);

	@Override
	public synchronized void onOperation(ReplicaOperation operation, long bytes) {
		long[] entry = this.counts.computeIfAbsent(operation, (key) -> new long[2]);
		entry[0]++;
		entry[1] += bytes;
	}

	synchronized long count(ReplicaOperation operation) {
		return this.counts.getOrDefault(operation, new long[2])[0];
	}

	synchronized long bytes(ReplicaOperation operation) {
		return this.counts.getOrDefault(operation, new long[2])[1];
	}

}
