package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;

import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;

/**
 * A replica client that runs {@code beforeWal} before it hands out each WAL segment, and
 * otherwise reads through to a real client: the moment a test needs, in the middle of a restore.
 */
class StallingReplicaClient extends ForwardingReplicaClient {

	private final SegmentHook beforeWal;

	StallingReplicaClient(ReplicaClient delegate, SegmentHook beforeWal) {
		super(delegate);
		this.beforeWal = beforeWal;
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		this.beforeWal.run(pos);
		return delegate().openWalSegment(pos);
	}

	@FunctionalInterface
	interface SegmentHook {

		void run(Pos pos) throws IOException;

	}

}
