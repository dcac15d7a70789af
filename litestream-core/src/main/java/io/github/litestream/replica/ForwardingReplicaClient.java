package io.github.litestream.replica;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A replica client that forwards every method, the interface's defaults included, to another
 * client: a decorator overrides only the calls it changes (encryption, the lease's fencing; in
 * tests, clients that record, stall or fail), and a method added to {@link ReplicaClient}
 * later reaches the real client through every decorator.
 */
public abstract class ForwardingReplicaClient implements ReplicaClient {

	private final ReplicaClient delegate;

	/**
	 * Creates a client that forwards to {@code delegate}.
	 * @param delegate the client that does the work
	 */
	protected ForwardingReplicaClient(ReplicaClient delegate) {
		this.delegate = delegate;
	}

	/**
	 * The client every call is forwarded to.
	 * @return the delegate
	 */
	protected ReplicaClient delegate() {
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
	public List<String> databasesBelow(boolean recursive) throws IOException {
		return this.delegate.databasesBelow(recursive);
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
