package io.github.litestream.lease;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * A replica client that asks the replica's lease before every write and delete, just before
 * the request goes out, and refuses with a {@link LeaseFencedException} when this instance
 * must not write. Reads pass through: a fenced instance may still list and restore.
 *
 * <p>The check happens once per object, before its first byte is sent; an upload that takes
 * longer than the safety margin can still complete after the lease lapsed (see
 * {@code docs/lease.md}).
 */
public final class FencedReplicaClient implements ReplicaClient {

	private final ReplicaClient delegate;

	private final ReplicaLease lease;

	/**
	 * Guards a client with a lease.
	 * @param delegate the replica's client
	 * @param lease its lease
	 */
	public FencedReplicaClient(ReplicaClient delegate, ReplicaLease lease) {
		this.delegate = delegate;
		this.lease = lease;
	}

	/**
	 * The client this one guards.
	 * @return the replica's own client
	 */
	public ReplicaClient delegate() {
		return this.delegate;
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
		this.lease.checkWritable();
		return this.delegate.writeSnapshot(generation, index, lz4);
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		return this.delegate.openSnapshot(generation, index);
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		this.lease.checkWritable();
		return this.delegate.writeWalSegment(pos, lz4);
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		return this.delegate.openWalSegment(pos);
	}

	@Override
	public void deleteSnapshot(String generation, long index) throws IOException {
		this.lease.checkWritable();
		this.delegate.deleteSnapshot(generation, index);
	}

	@Override
	public void deleteWalSegments(Collection<Pos> segments) throws IOException {
		this.lease.checkWritable();
		this.delegate.deleteWalSegments(segments);
	}

	@Override
	public void deleteGeneration(String generation) throws IOException {
		this.lease.checkWritable();
		this.delegate.deleteGeneration(generation);
	}

	@Override
	public Optional<ConditionalObjects> conditionalObjects() {
		return this.delegate.conditionalObjects();
	}

	@Override
	public void close() throws IOException {
		this.delegate.close();
	}

	@Override
	public String toString() {
		return this.delegate.toString();
	}

}
