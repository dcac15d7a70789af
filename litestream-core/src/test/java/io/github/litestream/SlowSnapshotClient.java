package io.github.litestream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;

/**
 * A replica whose first snapshot upload stalls after the first bytes until released, like a
 * slow network (it then buffers the rest: test databases are small). Like many I/O libraries it waits uninterruptibly and restores the interrupt status
 * afterwards, so an interrupt reaches whatever the uploading thread reads next: the database
 * file.
 */
final class SlowSnapshotClient extends ForwardingReplicaClient {

	private final CountDownLatch started = new CountDownLatch(1);

	private final CountDownLatch released = new CountDownLatch(1);

	/** Completes with the first snapshot's outcome: {@code null} or its failure. */
	final CompletableFuture<Throwable> firstSnapshot = new CompletableFuture<>();

	SlowSnapshotClient(ReplicaClient delegate) {
		super(delegate);
	}

	/** Waits until a snapshot upload has begun and stalls. */
	boolean awaitStarted() throws InterruptedException {
		return this.started.await(1, TimeUnit.MINUTES);
	}

	void release() {
		this.released.countDown();
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		if (this.released.getCount() == 0) {
			return delegate().writeSnapshot(generation, index, lz4);
		}
		try {
			byte[] first = lz4.readNBytes(4096);
			this.started.countDown();
			awaitReleaseUninterruptibly();
			// The upload goes on reading the snapshot, that is the database file, before it writes.
			ByteArrayOutputStream all = new ByteArrayOutputStream();
			all.write(first);
			lz4.transferTo(all);
			SnapshotInfo info = delegate().writeSnapshot(generation, index,
					new ByteArrayInputStream(all.toByteArray()));
			this.firstSnapshot.complete(null);
			return info;
		}
		catch (IOException | RuntimeException ex) {
			this.firstSnapshot.complete(ex);
			throw ex;
		}
	}

	private void awaitReleaseUninterruptibly() {
		boolean interrupted = false;
		while (true) {
			try {
				this.released.await();
				break;
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

}
