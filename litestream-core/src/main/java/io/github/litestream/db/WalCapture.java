package io.github.litestream.db;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies what is committed into the shadow WAL, for a {@link ReplicatedDatabase} step that holds
 * its monitor lock: starts first the new generation that was asked for, and refuses a database
 * file that was deleted or replaced while it was replicated.
 */
final class WalCapture {

	private final Path path;

	private final DatabaseHandles handles;

	private final GenerationTracker tracker;

	private final DatabaseLifecycle lifecycle;

	/** Why the next copy must start a new generation, or {@code null}. */
	private final AtomicReference<String> newGenerationRequest = new AtomicReference<>();

	WalCapture(Path path, DatabaseHandles handles, GenerationTracker tracker, DatabaseLifecycle lifecycle) {
		this.path = path;
		this.handles = handles;
		this.tracker = tracker;
		this.lifecycle = lifecycle;
	}

	/**
	 * Copies the newly committed WAL frames, under the monitor lock.
	 * @return the number of WAL bytes copied
	 */
	long copy() throws IOException, SQLException {
		this.lifecycle.requireOpen();
		if (fileReplaced()) {
			// The engine's descriptor and connections still see the old file, the WAL path the
			// new one's: a generation from both would mix two databases.
			throw new IOException("The database file " + this.path + " was deleted or replaced by another file "
					+ "while it was replicated; its replication stopped, so that no generation mixes the two. "
					+ "Restart the application to replicate the file now at that path (a missing file is restored "
					+ "from the replicas at start)");
		}
		// A failed checkpoint may have left it released; without it SQLite may restart the WAL.
		this.handles.connections().acquireReadLock();
		this.tracker.ensureWalExists();
		String newGeneration = this.newGenerationRequest.getAndSet(null);
		if (newGeneration != null) {
			try {
				this.tracker.startGeneration(newGeneration);
			}
			catch (IOException | RuntimeException ex) {
				// Still owed: the next step tries again rather than continue the old generation.
				this.newGenerationRequest.compareAndSet(null, newGeneration);
				throw ex;
			}
		}
		return this.tracker.copyWal();
	}

	/** See {@link ReplicatedDatabase#fileReplaced()}. */
	boolean fileReplaced() {
		DatabaseFile file = this.handles.file();
		try {
			return file != null && !file.isAt(this.path);
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** See {@link ReplicatedDatabase#requestNewGeneration(String)}. */
	void requestNewGeneration(String reason) {
		this.newGenerationRequest.set(reason);
	}

	/** See {@link ReplicatedDatabase#newGenerationPending()}. */
	boolean newGenerationPending() {
		return this.newGenerationRequest.get() != null;
	}

}
