package io.github.litestream.restore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import io.github.litestream.sqlite.WalHeader;
import org.jspecify.annotations.Nullable;

/**
 * Checks the WAL of one index (its salts and checksum chain) on a thread of its own while the
 * applier writes the pages of the index before: the checksum pass was a fifth of the applying
 * thread's work, and each index's WAL is a chain of its own, so on two cores it overlaps with
 * the writes instead of preceding them. One index is checked ahead at most; indexes come out
 * in the order they went in, each with its check's outcome, so errors surface in order.
 */
final class WalCheckAhead implements AutoCloseable {

	private final ExecutorService thread = RestoreThread.start("litestream-restore-wal-check");

	private @Nullable Pending pending;

	/** The index whose check is being awaited: closed by {@link #close()} if the wait is interrupted. */
	private @Nullable Pending awaited;

	/**
	 * Starts checking an index's WAL, and returns the index started before it, checked.
	 * @param wal the index's WAL, which the caller gives up until it comes back
	 * @param position the index's position in the plan
	 * @param header its header, or {@code null} if reading it failed with {@code headerError}
	 * @param headerError why the header could not be read, reported in this index's turn
	 * @return the index before, checked, for the caller to apply and close; {@code null} for the
	 * first
	 * @throws IOException if the index before could not be checked (its WAL is then closed, or
	 * by {@link #close()} when the wait was interrupted)
	 */
	@Nullable Checked next(FetchedWal wal, int position, @Nullable WalHeader header, @Nullable IOException headerError)
			throws IOException {
		Future<CheckedWal> check = (header != null)
				? this.thread.submit(() -> WalApplier.check(wal, header)) : CompletableFuture.failedFuture(headerError);
		this.awaited = this.pending;
		this.pending = new Pending(wal, position, check);
		return awaitChecked();
	}

	/**
	 * The last index, checked.
	 * @return it, or {@code null} if there was none
	 * @throws IOException if it could not be checked (its WAL is then closed)
	 */
	@Nullable Checked last() throws IOException {
		this.awaited = this.pending;
		this.pending = null;
		return awaitChecked();
	}

	private @Nullable Checked awaitChecked() throws IOException {
		Pending before = this.awaited;
		if (before == null) {
			return null;
		}
		try {
			Checked checked = before.await();
			this.awaited = null;
			return checked;
		}
		catch (InterruptedIOException ex) {
			// The check may still read the WAL: close() closes it once the thread has stopped.
			throw ex;
		}
		catch (IOException | RuntimeException | Error ex) {
			this.awaited = null;
			throw ex;
		}
	}

	/** Stops checking, then closes the WALs of the indexes not handed back. */
	@Override
	public void close() throws IOException {
		RestoreThread.stop(this.thread);
		try {
			if (this.awaited != null) {
				this.awaited.wal.close();
				this.awaited = null;
			}
		}
		finally {
			if (this.pending != null) {
				this.pending.wal.close();
				this.pending = null;
			}
		}
	}

	/** An index's WAL and where its committed frames end. */
	record Checked(FetchedWal wal, int position, CheckedWal result) {
	}

	private record Pending(FetchedWal wal, int position, Future<CheckedWal> check) {

		Checked await() throws IOException {
			try {
				return new Checked(this.wal, this.position, this.check.get());
			}
			catch (InterruptedException ex) {
				this.check.cancel(true);
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while checking a WAL index");
			}
			catch (ExecutionException ex) {
				// The check is over: nothing reads the WAL any more.
				this.wal.close();
				if (ex.getCause() instanceof IOException io) {
					throw io;
				}
				if (ex.getCause() instanceof RuntimeException runtime) {
					throw runtime;
				}
				if (ex.getCause() instanceof Error error) {
					throw error;
				}
				throw new IllegalStateException("Checking a WAL index failed: " + ex.getCause(), ex.getCause());
			}
		}

	}

}
