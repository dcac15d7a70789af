package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.UnreachableConditionalObjects;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * A real replica client whose store does not answer while {@link #down} is set: every listing,
 * read, write and lease request fails, as when the network to the store is down.
 */
final class UnreachableStore extends ForwardingReplicaClient {

	final AtomicBoolean down = new AtomicBoolean();

	UnreachableStore(ReplicaClient client, boolean down) {
		super(client);
		this.down.set(down);
	}

	private void check() throws IOException {
		if (this.down.get()) {
			throw new IOException("store unreachable");
		}
	}

	@Override
	public List<String> generations() throws IOException {
		check();
		return super.generations();
	}

	@Override
	public List<SnapshotInfo> snapshots(String generation) throws IOException {
		check();
		return super.snapshots(generation);
	}

	@Override
	public List<WalSegmentInfo> walSegments(String generation) throws IOException {
		check();
		return super.walSegments(generation);
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		check();
		return super.writeSnapshot(generation, index, lz4);
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		check();
		return super.openSnapshot(generation, index);
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		check();
		return super.writeWalSegment(pos, lz4);
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		check();
		return super.openWalSegment(pos);
	}

	@Override
	public void deleteSnapshot(String generation, long index) throws IOException {
		check();
		super.deleteSnapshot(generation, index);
	}

	@Override
	public void deleteWalSegments(Collection<Pos> segments) throws IOException {
		check();
		super.deleteWalSegments(segments);
	}

	@Override
	public void deleteGeneration(String generation) throws IOException {
		check();
		super.deleteGeneration(generation);
	}

	@Override
	public Optional<ConditionalObjects> conditionalObjects() {
		return super.conditionalObjects().map((objects) -> new UnreachableConditionalObjects(objects, this.down));
	}

}
