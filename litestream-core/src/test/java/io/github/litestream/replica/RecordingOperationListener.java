package io.github.litestream.replica;

import java.util.EnumMap;
import java.util.Map;

/**
 * Counts the requests and bytes a replica client reports, per operation (shared by the
 * backends' tests).
 */
public final class RecordingOperationListener implements ReplicaOperationListener {

	private final Map<ReplicaOperation, Long> counts = new EnumMap<>(ReplicaOperation.class);

	private final Map<ReplicaOperation, Long> bytes = new EnumMap<>(ReplicaOperation.class);

	@Override
	public synchronized void onOperation(ReplicaOperation operation, long bytes) {
		this.counts.merge(operation, 1L, Long::sum);
		this.bytes.merge(operation, bytes, Long::sum);
	}

	public synchronized long count(ReplicaOperation operation) {
		return this.counts.getOrDefault(operation, 0L);
	}

	public synchronized long bytes(ReplicaOperation operation) {
		return this.bytes.getOrDefault(operation, 0L);
	}

	public synchronized long total() {
		return this.counts.values().stream().mapToLong(Long::longValue).sum();
	}

	public synchronized void reset() {
		this.counts.clear();
		this.bytes.clear();
	}

}
