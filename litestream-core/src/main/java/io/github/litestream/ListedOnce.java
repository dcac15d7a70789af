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
 * A replica client for one check that reads a replica's listings in two steps, such as finding
 * its newest backup and then whether the generation moved past a position: each generation's
 * snapshots and WAL are listed once, and the second step sees the listing the first saw. Both
 * steps judge the replica as of one moment that way, and on a remote store the check costs two
 * LIST requests less. Made for the one check and dropped after it: it never answers for the
 * replica as it is later.
 */
final class ListedOnce extends ForwardingReplicaClient {

	private final Map<String, List<SnapshotInfo>> snapshots = new ConcurrentHashMap<>();

	private final Map<String, List<WalSegmentInfo>> walSegments = new ConcurrentHashMap<>();

	ListedOnce(ReplicaClient delegate) {
		super(delegate);
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
