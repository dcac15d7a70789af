package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * A real replica client that counts every request made through it: listings, reads, writes
 * and deletions, as a store would bill them. Each request is also recorded by its kind
 * ({@code LIST generations}, {@code LIST snapshots}, {@code LIST wal}, {@code GET snapshot},
 * {@code GET wal}, {@code PUT snapshot}, {@code PUT wal}, {@code DELETE ...}). Requests to the
 * small objects at the replica's root that leases keep ({@link ConditionalObjects}) are recorded
 * apart ({@link #leaseLog()}), with their outcome: {@code GET lease.json},
 * {@code CREATE lease-probe.json}, {@code REPLACE lease.json refused}; renewals run on their own
 * schedule and would make the replica's own counts depend on timing.
 */
final class CountingReplicaClient extends ForwardingReplicaClient {

	private final AtomicLong requests = new AtomicLong();

	private final List<String> log = new CopyOnWriteArrayList<>();

	private final List<String> leaseLog = new CopyOnWriteArrayList<>();

	CountingReplicaClient(ReplicaClient delegate) {
		super(delegate);
	}

	long requests() {
		return this.requests.get();
	}

	/** The requests made so far, by kind, in order. */
	List<String> log() {
		return List.copyOf(this.log);
	}

	/** The requests to the lease's objects so far, in order. */
	List<String> leaseLog() {
		return List.copyOf(this.leaseLog);
	}

	/** Forgets the requests recorded so far. */
	void clear() {
		this.log.clear();
		this.leaseLog.clear();
	}

	@Override
	public Optional<ConditionalObjects> conditionalObjects() {
		return super.conditionalObjects().map(CountingObjects::new);
	}

	private void count(String kind) {
		this.requests.incrementAndGet();
		this.log.add(kind);
	}

	@Override
	public List<String> generations() throws IOException {
		count("LIST generations");
		return super.generations();
	}

	@Override
	public List<SnapshotInfo> snapshots(String generation) throws IOException {
		count("LIST snapshots");
		return super.snapshots(generation);
	}

	@Override
	public List<WalSegmentInfo> walSegments(String generation) throws IOException {
		count("LIST wal");
		return super.walSegments(generation);
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		count("PUT snapshot");
		return super.writeSnapshot(generation, index, lz4);
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		count("GET snapshot");
		return super.openSnapshot(generation, index);
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		count("PUT wal");
		return super.writeWalSegment(pos, lz4);
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		count("GET wal");
		return super.openWalSegment(pos);
	}

	@Override
	public void deleteSnapshot(String generation, long index) throws IOException {
		count("DELETE snapshot");
		super.deleteSnapshot(generation, index);
	}

	@Override
	public void deleteWalSegments(Collection<Pos> segments) throws IOException {
		count("DELETE wal");
		super.deleteWalSegments(segments);
	}

	@Override
	public void deleteGeneration(String generation) throws IOException {
		count("DELETE generation");
		super.deleteGeneration(generation);
	}

	/** Records each request to the lease's objects, and whether a conditional write was refused. */
	private final class CountingObjects implements ConditionalObjects {

		private final ConditionalObjects delegate;

		CountingObjects(ConditionalObjects delegate) {
			this.delegate = delegate;
		}

		@Override
		public Optional<VersionedObject> read(String name) throws IOException {
			CountingReplicaClient.this.leaseLog.add("GET " + name);
			return this.delegate.read(name);
		}

		@Override
		public String create(String name, byte[] content) throws IOException {
			return write("CREATE " + name, () -> this.delegate.create(name, content));
		}

		@Override
		public String replace(String name, byte[] content, String version) throws IOException {
			return write("REPLACE " + name, () -> this.delegate.replace(name, content, version));
		}

		@Override
		public Optional<String> exclusivityProblem() throws IOException {
			return this.delegate.exclusivityProblem();
		}

		private String write(String request, Write write) throws IOException {
			try {
				String version = write.run();
				CountingReplicaClient.this.leaseLog.add(request);
				return version;
			}
			catch (ConditionalWriteConflictException ex) {
				CountingReplicaClient.this.leaseLog.add(request + " refused");
				throw ex;
			}
			catch (IOException ex) {
				CountingReplicaClient.this.leaseLog.add(request + " failed");
				throw ex;
			}
		}

	}

	@FunctionalInterface
	private interface Write {

		String run() throws IOException;

	}

}
