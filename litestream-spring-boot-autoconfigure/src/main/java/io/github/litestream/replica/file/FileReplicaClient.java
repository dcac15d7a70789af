package io.github.litestream.replica.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

import io.github.litestream.db.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * STAND-IN for the restore helper's class (planned constructor); replace on merge.
 */
public class FileReplicaClient implements ReplicaClient {

	private final Path root;

	public FileReplicaClient(Path root, ReplicaOperationListener listener) {
		this.root = root;
	}

	@Override
	public String type() {
		return "file";
	}

	@Override
	public String location() {
		return this.root.toString();
	}

	@Override
	public List<String> generations() throws IOException {
		throw new UnsupportedOperationException("stand-in");
	}

	@Override
	public List<SnapshotInfo> snapshots(String generation) throws IOException {
		throw new UnsupportedOperationException("stand-in");
	}

	@Override
	public List<WalSegmentInfo> walSegments(String generation) throws IOException {
		throw new UnsupportedOperationException("stand-in");
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		throw new UnsupportedOperationException("stand-in");
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		throw new UnsupportedOperationException("stand-in");
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		throw new UnsupportedOperationException("stand-in");
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		throw new UnsupportedOperationException("stand-in");
	}

	@Override
	public void deleteSnapshot(String generation, long index) throws IOException {
		throw new UnsupportedOperationException("stand-in");
	}

	@Override
	public void deleteWalSegments(Collection<Pos> segments) throws IOException {
		throw new UnsupportedOperationException("stand-in");
	}

	@Override
	public void deleteGeneration(String generation) throws IOException {
		throw new UnsupportedOperationException("stand-in");
	}

}
