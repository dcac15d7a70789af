package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * A real replica client that counts every request made through it: listings, reads, writes
 * and deletions, as a store would bill them.
 */
final class CountingReplicaClient extends ForwardingReplicaClient {

	private final AtomicLong requests = new AtomicLong();

	CountingReplicaClient(ReplicaClient delegate) {
		super(delegate);
	}

	long requests() {
		return this.requests.get();
	}

	@Override
	public List<String> generations() throws IOException {
		this.requests.incrementAndGet();
		return super.generations();
	}

	@Override
	public List<SnapshotInfo> snapshots(String generation) throws IOException {
		this.requests.incrementAndGet();
		return super.snapshots(generation);
	}

	@Override
	public List<WalSegmentInfo> walSegments(String generation) throws IOException {
		this.requests.incrementAndGet();
		return super.walSegments(generation);
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		this.requests.incrementAndGet();
		return super.writeSnapshot(generation, index, lz4);
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		this.requests.incrementAndGet();
		return super.openSnapshot(generation, index);
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		this.requests.incrementAndGet();
		return super.writeWalSegment(pos, lz4);
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		this.requests.incrementAndGet();
		return super.openWalSegment(pos);
	}

	@Override
	public void deleteSnapshot(String generation, long index) throws IOException {
		this.requests.incrementAndGet();
		super.deleteSnapshot(generation, index);
	}

	@Override
	public void deleteWalSegments(Collection<Pos> segments) throws IOException {
		this.requests.incrementAndGet();
		super.deleteWalSegments(segments);
	}

	@Override
	public void deleteGeneration(String generation) throws IOException {
		this.requests.incrementAndGet();
		super.deleteGeneration(generation);
	}

}
