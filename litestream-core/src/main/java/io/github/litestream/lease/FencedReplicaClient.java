package io.github.litestream.lease;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;

import io.github.litestream.replica.ForwardingReplicaClient;
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
 * longer than the two safety margins (this holder's before its lease lapses, and the one the
 * next holder waits after taking it) can still complete after the next holder began writing
 * (see {@code docs/lease.md}).
 */
public final class FencedReplicaClient extends ForwardingReplicaClient {

	private final ReplicaLease lease;

	private final WriteCheck alsoCheck;

	/**
	 * Guards a client with a lease.
	 * @param delegate the replica's client
	 * @param lease its lease
	 */
	public FencedReplicaClient(ReplicaClient delegate, ReplicaLease lease) {
		this(delegate, lease, () -> {
		});
	}

	/**
	 * Guards a client with a lease and a check of the engine's that may refuse writes although
	 * the lease is held (a database file not yet compared with the replica, or stale).
	 * @param delegate the replica's client
	 * @param lease its lease
	 * @param alsoCheck asked after the lease, before every write and delete
	 */
	public FencedReplicaClient(ReplicaClient delegate, ReplicaLease lease, WriteCheck alsoCheck) {
		super(delegate);
		this.lease = lease;
		this.alsoCheck = alsoCheck;
	}

	/**
	 * The client this one guards.
	 * @return the replica's own client
	 */
	@Override
	public ReplicaClient delegate() {
		return super.delegate();
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		checkWritable();
		return super.writeSnapshot(generation, index, lz4);
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		checkWritable();
		return super.writeWalSegment(pos, lz4);
	}

	@Override
	public void deleteSnapshot(String generation, long index) throws IOException {
		checkWritable();
		super.deleteSnapshot(generation, index);
	}

	@Override
	public void deleteWalSegments(Collection<Pos> segments) throws IOException {
		checkWritable();
		super.deleteWalSegments(segments);
	}

	@Override
	public void deleteGeneration(String generation) throws IOException {
		checkWritable();
		super.deleteGeneration(generation);
	}

	private void checkWritable() throws LeaseFencedException {
		this.lease.checkWritable();
		this.alsoCheck.check();
	}

	/**
	 * A check that may refuse a write to a replica whose lease is held.
	 */
	@FunctionalInterface
	public interface WriteCheck {

		/**
		 * Refuses a write that must not go out.
		 * @throws LeaseFencedException if it must not
		 */
		void check() throws LeaseFencedException;

	}

}
