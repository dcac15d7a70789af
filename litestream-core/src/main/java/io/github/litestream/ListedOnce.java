package io.github.litestream;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * A replica client for one operation that reads a replica's listings in several steps, such as
 * finding its newest backup and then whether the generation moved past a position, or choosing
 * the replica to restore from, planning the restore and checking that it may continue the
 * generation: the generations, and each one's snapshots and WAL, are listed once, and later
 * steps see the listing the first saw. Every step judges the replica as of one moment that way,
 * and on a remote store each repeated listing is a LIST request saved. Made for the one
 * operation and dropped after it: it never answers for the replica as it is later (what must
 * see the replica as it is then, such as the continuation check before a database opens, lists
 * it again).
 */
public final class ListedOnce extends ForwardingReplicaClient {

	private volatile List<String> generations;

	private final Map<String, List<SnapshotInfo>> snapshots = new ConcurrentHashMap<>();

	private final Map<String, List<WalSegmentInfo>> walSegments = new ConcurrentHashMap<>();

	/**
	 * Wraps a replica's client for one operation; closing the wrapper leaves the client open.
	 * @param delegate the client, which outlives the operation
	 */
	public ListedOnce(ReplicaClient delegate) {
		super(delegate);
	}

	@Override
	public List<String> generations() throws IOException {
		List<String> listed = this.generations;
		if (listed == null) {
			listed = super.generations();
			this.generations = listed;
		}
		return listed;
	}

	@Override
	public List<SnapshotInfo> snapshots(String generation) throws IOException {
		List<SnapshotInfo> listed = this.snapshots.get(generation);
		if (listed == null) {
			listed = super.snapshots(generation);
			this.snapshots.put(generation, listed);
		}
		return listed;
	}

	@Override
	public List<WalSegmentInfo> walSegments(String generation) throws IOException {
		List<WalSegmentInfo> listed = this.walSegments.get(generation);
		if (listed == null) {
			listed = super.walSegments(generation);
			this.walSegments.put(generation, listed);
		}
		return listed;
	}

	@Override
	public void close() {
		// The replica's client outlives the check.
	}

}
