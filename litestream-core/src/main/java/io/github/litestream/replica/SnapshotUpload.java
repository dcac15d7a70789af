package io.github.litestream.replica;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot whose upload runs beside its replica's thread, so that WAL keeps shipping while a
 * large database uploads for minutes (as Litestream's snapshot goroutine does).
 *
 * <p>Only the upload moves: the uploading thread holds the database's checkpoint lock, reads
 * the file and writes the object. Everything else stays on the replica's thread: it ships the
 * WAL up to the snapshot's position while the uploading thread waits (before the first byte of
 * the file is read), and it applies the outcome afterwards ({@link #stored()} is done; the
 * replica then adds the snapshot to its catalog and publishes it as restorable). So the
 * replica's state keeps one thread, and the snapshot counts only once it is stored.
 */
public final class SnapshotUpload {

	private final String description;

	private final boolean periodic;

	private final long startedNanos = System.nanoTime();

	/** Its position, once the file is locked; {@code null} when the file was busy. */
	final CompletableFuture<@Nullable Pos> position = new CompletableFuture<>();

	/** Done when the replica's thread shipped the WAL up to the position (or gave up). */
	final CompletableFuture<Void> walShipped = new CompletableFuture<>();

	/** The stored snapshot ({@code null} when the file was busy), or why it was not stored. */
	private final CompletableFuture<@Nullable SnapshotInfo> stored = new CompletableFuture<>();

	/** The outcome once the replica's thread applied it: what a caller waits for. */
	private final CompletableFuture<SnapshotInfo> applied = new CompletableFuture<>();

	private volatile boolean cancelled;

	SnapshotUpload(String description, boolean periodic) {
		this.description = description;
		this.periodic = periodic;
	}

	boolean periodic() {
		return this.periodic;
	}

	long startedNanos() {
		return this.startedNanos;
	}

	CompletableFuture<@Nullable SnapshotInfo> storedFuture() {
		return this.stored;
	}

	/**
	 * Completes once the upload ended, stored or not; the replica's thread has not applied the
	 * outcome yet.
	 * @return the future of the stored snapshot
	 */
	public CompletableFuture<?> stored() {
		return this.stored;
	}

	/**
	 * Completes once the replica's thread applied the outcome: the snapshot counts as stored (or
	 * its failure is recorded).
	 * @return the stored snapshot
	 */
	public CompletableFuture<SnapshotInfo> applied() {
		return this.applied;
	}

	/**
	 * Settles {@link #applied()} from the upload's outcome without the replica's thread (its lane
	 * was shut down), so that nobody waits for it for ever. The replica applies it when it runs
	 * again.
	 */
	public void settleWithoutReplica() {
		this.stored.whenComplete((info, ex) -> {
			if (ex != null) {
				this.applied.completeExceptionally(unwrap(ex));
			}
			else if (info != null) {
				this.applied.complete(info);
			}
		});
	}

	/**
	 * Asks the upload to stop at its next read of the database file: it fails, and nothing is
	 * stored. Cooperative (never an interrupt: it would close the file's channel and drop
	 * SQLite's locks).
	 */
	public void cancel() {
		this.cancelled = true;
	}

	/**
	 * Whether the upload was asked to stop.
	 * @return {@code true} once {@link #cancel()} was called
	 */
	public boolean cancelled() {
		return this.cancelled;
	}

	/**
	 * Waits for the upload to end.
	 * @param millis how long at most
	 * @return whether it ended
	 */
	public boolean awaitStored(long millis) {
		try {
			this.stored.get(millis, TimeUnit.MILLISECONDS);
			return true;
		}
		catch (ExecutionException ex) {
			return true;
		}
		catch (TimeoutException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	void stored(@Nullable SnapshotInfo info) {
		this.stored.complete(info);
	}

	void failed(Throwable ex) {
		this.position.completeExceptionally(ex);
		this.stored.completeExceptionally(ex);
	}

	void applied(SnapshotInfo info) {
		this.applied.complete(info);
	}

	void notApplied(Throwable ex) {
		this.applied.completeExceptionally(ex);
	}

	/** The database file's bytes, failing at the next read once {@link #cancel() cancelled}. */
	InputStream cancellable(InputStream database) {
		return new FilterInputStream(database) {

			@Override
			public int read() throws IOException {
				checkCancelled();
				return super.read();
			}

			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				checkCancelled();
				return super.read(b, off, len);
			}

		};
	}

	private void checkCancelled() throws IOException {
		if (this.cancelled) {
			throw new IOException("The snapshot upload of " + this.description
					+ " was cancelled: the engine is stopping (the next start takes a snapshot again)");
		}
	}

	/**
	 * Waits for a future of this upload, uninterruptibly: the waiting thread reads files.
	 * @throws IOException the failure it completed with
	 */
	static <T> T await(CompletableFuture<T> future) throws IOException {
		try {
			return future.join();
		}
		catch (CompletionException | CancellationException ex) {
			Throwable cause = unwrap(ex);
			if (cause instanceof IOException io) {
				throw io;
			}
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw new IOException(cause);
		}
	}

	static Throwable unwrap(Throwable ex) {
		return (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
	}

}
