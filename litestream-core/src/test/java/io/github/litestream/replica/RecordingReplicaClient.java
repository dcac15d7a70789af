package io.github.litestream.replica;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;


/**
 * A real replica client that records the order of the objects written through it (their keys),
 * and can fail a write as an unreachable store would.
 */
final class RecordingReplicaClient extends ForwardingReplicaClient {

	private final List<String> writes = new CopyOnWriteArrayList<>();

	private volatile boolean failNextWrite;

	RecordingReplicaClient(ReplicaClient delegate) {
		super(delegate);
	}

	/** Makes the next write fail, as an unreachable store would. */
	void failNextWrite() {
		this.failNextWrite = true;
	}

	private void failIfAsked(String key) throws IOException {
		if (this.failNextWrite) {
			this.failNextWrite = false;
			throw new IOException("Store unreachable while writing " + key);
		}
	}

	/** The keys written, in order. */
	List<String> writes() {
		return List.copyOf(this.writes);
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		failIfAsked(ReplicaLayout.snapshotKey(generation, index));
		SnapshotInfo info = delegate().writeSnapshot(generation, index, lz4);
		this.writes.add(ReplicaLayout.snapshotKey(generation, index));
		return info;
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		failIfAsked(ReplicaLayout.walSegmentKey(pos));
		WalSegmentInfo info = delegate().writeWalSegment(pos, lz4);
		this.writes.add(ReplicaLayout.walSegmentKey(pos));
		return info;
	}

}
