package io.github.litestream.benchmarks;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Counts the requests a replica client makes, by kind, as a bill would.
 */
public final class OperationCounter implements ReplicaOperationListener {

	private final Map<ReplicaOperation, AtomicLong> counts = new EnumMap<>(ReplicaOperation.class);

	/**
	 * Creates a counter at zero.
	 */
	public OperationCounter() {
		for (ReplicaOperation operation : ReplicaOperation.values()) {
			this.counts.put(operation, new AtomicLong());
		}
	}

	@Override
	public void onOperation(ReplicaOperation operation, long bytes) {
		this.counts.get(operation).incrementAndGet();
	}

	/**
	 * Requests of every kind so far.
	 * @return the total
	 */
	public long total() {
		return this.counts.values().stream().mapToLong(AtomicLong::get).sum();
	}

	/**
	 * Requests by kind, for a report.
	 * @return such as {@code GET=0 PUT=3 LIST=1 DELETE=0}
	 */
	public String describe() {
		StringBuilder text = new StringBuilder();
		this.counts.forEach((operation, count) -> text.append(text.isEmpty() ? "" : " ")
			.append(operation)
			.append('=')
			.append(count.get()));
		return text.toString();
	}

}
