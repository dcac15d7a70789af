package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;

/**
 * A real replica client whose next snapshot upload, once {@link #hold() held}, stops inside the
 * snapshot write (with the database file open for reading) until the test releases it: a slow
 * upload, without waiting for one.
 */
public final class HeldSnapshotUpload extends ForwardingReplicaClient {

	private volatile boolean holding;

	private final CountDownLatch writing = new CountDownLatch(1);

	private final CountDownLatch release = new CountDownLatch(1);

	public HeldSnapshotUpload(ReplicaClient delegate) {
		super(delegate);
	}

	/** Holds the next snapshot upload. */
	public void hold() {
		this.holding = true;
	}

	/**
	 * Waits until the held upload is inside the snapshot write.
	 * @return whether it got there within a minute
	 */
	public boolean awaitWriting() throws InterruptedException {
		return this.writing.await(1, TimeUnit.MINUTES);
	}

	/** Lets the held upload (and any later one) go on. */
	public void release() {
		this.holding = false;
		this.release.countDown();
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		if (this.holding) {
			this.holding = false;
			this.writing.countDown();
			try {
				if (!this.release.await(1, TimeUnit.MINUTES)) {
					throw new IOException("The test did not release the snapshot upload");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException(ex);
			}
		}
		return super.writeSnapshot(generation, index, lz4);
	}

}
