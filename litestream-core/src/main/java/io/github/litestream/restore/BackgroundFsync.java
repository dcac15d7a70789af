package io.github.litestream.restore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Forces a file to disk in a thread of its own while it is still being written, so that the
 * fsync that has to finish before the file can be trusted finds less left to write. Left to
 * the end, forcing a restored database to disk took longer than its integrity check.
 *
 * <p>Not thread-safe: one thread writes the file and calls the methods.
 */
final class BackgroundFsync implements AutoCloseable {

	private final Path file;

	private final FileChannel channel;

	private final ExecutorService thread;

	private Future<Long> finalForce;

	/**
	 * Opens the file for forcing; nothing is forced before {@link #start()}.
	 * @param file the file being written
	 * @throws IOException if the file cannot be opened
	 */
	BackgroundFsync(Path file) throws IOException {
		this.file = file;
		this.channel = FileChannel.open(file, StandardOpenOption.WRITE);
		this.thread = RestoreThread.start("litestream-restore-fsync");
	}

	/**
	 * Starts forcing what has been written so far. A failure here is not reported: the final
	 * force reports its own.
	 */
	void start() {
		this.thread.submit(() -> {
			this.channel.force(false);
			return null;
		});
	}

	/**
	 * Starts forcing everything written so far, data and metadata, after any force started
	 * before; the file must not be written any more.
	 */
	void startFinal() {
		long queued = System.nanoTime();
		this.finalForce = this.thread.submit(() -> {
			this.channel.force(true);
			return System.nanoTime() - queued;
		});
	}

	/**
	 * Waits for the force started by {@link #startFinal()}.
	 * @return how long it took from {@link #startFinal()}, with the rest of the force before it
	 * @throws IOException if the file cannot be forced
	 */
	long awaitFinal() throws IOException {
		try {
			return this.finalForce.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while forcing " + this.file + " to disk");
		}
		catch (ExecutionException ex) {
			throw new IOException("Cannot force the restored database " + this.file + " to disk: "
					+ ex.getCause().getMessage(), ex.getCause());
		}
	}

	/**
	 * Stops forcing and closes the file; does not wait for a force in progress longer than a minute.
	 * @throws IOException if the file cannot be closed
	 */
	@Override
	public void close() throws IOException {
		try {
			RestoreThread.stop(this.thread);
		}
		finally {
			this.channel.close();
		}
	}

}
