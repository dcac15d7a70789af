package io.github.litestream.replica;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.litestream.db.Pos;

/**
 * A real replica client that records the order of the objects written through it (their keys),
 * and can fail a write as an unreachable store would.
 */
final class RecordingReplicaClient implements ReplicaClient {

	private final ReplicaClient delegate;

	private final List<String> writes = new CopyOnWriteArrayList<>();

	private volatile boolean failNextWrite;

	RecordingReplicaClient(ReplicaClient delegate) {
		this.delegate = delegate;
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
	public String type() {
		return this.delegate.type();
	}

	@Override
	public String location() {
		return this.delegate.location();
	}

	@Override
	public boolean readsLocally() {
		return this.delegate.readsLocally();
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
		failIfAsked(ReplicaLayout.snapshotKey(generation, index));
		SnapshotInfo info = this.delegate.writeSnapshot(generation, index, lz4);
		this.writes.add(ReplicaLayout.snapshotKey(generation, index));
		return info;
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		return this.delegate.openSnapshot(generation, index);
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		failIfAsked(ReplicaLayout.walSegmentKey(pos));
		WalSegmentInfo info = this.delegate.writeWalSegment(pos, lz4);
		this.writes.add(ReplicaLayout.walSegmentKey(pos));
		return info;
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
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

}
