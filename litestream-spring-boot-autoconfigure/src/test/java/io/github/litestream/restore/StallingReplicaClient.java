package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;

import io.github.litestream.db.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * A replica client that runs {@code beforeWal} before it hands out each WAL segment, and
 * otherwise reads through to a real client: the moment a test needs, in the middle of a restore.
 */
class StallingReplicaClient implements ReplicaClient {

	private final ReplicaClient delegate;

	private final SegmentHook beforeWal;

	StallingReplicaClient(ReplicaClient delegate, SegmentHook beforeWal) {
		this.delegate = delegate;
		this.beforeWal = beforeWal;
	}

	@Override
	public String type() {
		return this.delegate.type();
	}

	@Override
	public String location() {
		return this.delegate.location();
	}

	@Override
	public List<String> generations() throws IOException {
		return this.delegate.generations();
	}

	@Override
	public List<SnapshotInfo> snapshots(String generation) throws IOException {
		return this.delegate.snapshots(generation);
	}

	@Override
	public List<WalSegmentInfo> walSegments(String generation) throws IOException {
		return this.delegate.walSegments(generation);
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		return this.delegate.writeSnapshot(generation, index, lz4);
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		return this.delegate.openSnapshot(generation, index);
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		return this.delegate.writeWalSegment(pos, lz4);
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		this.beforeWal.run(pos);
		return this.delegate.openWalSegment(pos);
	}

	@Override
	public void deleteSnapshot(String generation, long index) throws IOException {
		this.delegate.deleteSnapshot(generation, index);
	}

	@Override
	public void deleteWalSegments(Collection<Pos> segments) throws IOException {
		this.delegate.deleteWalSegments(segments);
	}

	@Override
	public void deleteGeneration(String generation) throws IOException {
		this.delegate.deleteGeneration(generation);
	}

	@FunctionalInterface
	interface SegmentHook {

		void run(Pos pos) throws IOException;

	}

}
